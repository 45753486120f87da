"""`casehub bench`: throughput, latency and query speed, each beside its physical limit or naive baseline."""
