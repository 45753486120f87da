"""Whether a Kafka bootstrap list still accepts TCP connections: the publisher's "broker gone" check."""

from __future__ import annotations

import socket


def any_address_answers(bootstrap: str, timeout_s: float) -> bool:
    """True when one address of the comma-separated list accepts a connection within the timeout.

    kafka-python keeps retrying a dead broker until the delivery timeout; a plain connect tells the
    publisher within seconds that waiting longer is pointless."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition("://")[2].rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False
