"""What agencies run: the publisher SDK, the transactional outbox and its relay, importers for the
reports they keep, and the traffic simulator; it depends on `schemas` only."""
