"""Whether the broker still answers, as the publisher asks it between waits for confirmations."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from producers.publisher import Publisher


class ProbeOnly(Publisher):
    """The probe needs the addresses and the timeout only; no producer is built."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.connect_timeout_s = 1.0


@pytest.fixture
def listening() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


def test_any_answering_address_means_the_broker_is_there(listening: int) -> None:
    for bootstrap in (
        f"127.0.0.1:{listening}",
        f"PLAINTEXT://127.0.0.1:{listening}",
        f"SSL://127.0.0.1:1,localhost:{listening}",
        f"[::1]:1, 127.0.0.1:{listening}",
    ):
        assert ProbeOnly(bootstrap)._broker_lost() is None, bootstrap


def test_no_answering_address_is_reported_with_the_bootstrap() -> None:
    for bootstrap in ("127.0.0.1:1", "127.0.0.1:1,[::1]:1", "no-port", ""):
        reason = ProbeOnly(bootstrap)._broker_lost()
        assert reason == f"not confirmed: the broker at {bootstrap} stopped answering"
