"""What agencies run: the publisher that validates, encodes and sends case events to their topic."""
