"""Listener ports are chosen where no outgoing connection can take them before the listener binds."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from deploy.broker import host
from deploy.broker.host import BrokerError, free_port, port_free


def ephemeral_start() -> int:
    return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])


def test_a_free_port_lies_below_the_ephemeral_range_and_can_be_bound() -> None:
    for _ in range(50):
        port = free_port()
        assert 10_000 <= port < ephemeral_start()
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", port))


def test_a_run_of_ports_is_free_from_its_first_to_its_last() -> None:
    first = free_port(run=6)
    assert all(port_free("127.0.0.1", first + n) for n in range(6))
    assert first + 5 < ephemeral_start()


def test_a_bound_port_is_not_free() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", free_port()))
        listener.listen()
        assert not port_free("127.0.0.1", listener.getsockname()[1])


def test_no_free_run_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host, "port_free", lambda _host, _port: False)
    with pytest.raises(BrokerError, match="no run of 2 free ports"):
        free_port(run=2)


def test_an_unreadable_range_falls_back_to_linux_s_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(host, "_EPHEMERAL_RANGE", tmp_path / "missing")
    assert host._listener_ports() == range(10_000, 32_768)
