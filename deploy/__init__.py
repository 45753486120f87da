"""Local infrastructure launchers (Kafka broker, PostgreSQL cluster) for development and tests."""
