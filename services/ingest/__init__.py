"""Publishing case events on behalf of agency systems that cannot run a Kafka client (HTTP ingest)."""
