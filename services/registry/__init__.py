"""The Confluent-compatible schema registry the hub serves from its own store."""
