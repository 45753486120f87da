"""What the launchers need from this machine: free ports, a Java runtime, locks, log tails."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BrokerError", "free_port"]

LOG_TAIL_LINES = 20


class BrokerError(Exception):
    """A user-facing failure of the broker launcher (message is meant to be shown as is)."""


# Listeners take ports below the kernel's ephemeral range: a port the OS hands out for ``bind(0)`` lies in
# that range, and between choosing it and the broker binding it, any client's outgoing connection may
# take it as its local port (the cluster tests lost a whole module to that under parallel load).
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LISTENER_FLOOR = 10_000


def _listener_ports() -> range:
    """Ports no outgoing connection will take: from 10,000 up to the ephemeral range's start."""
    try:
        low = int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768  # Linux's default, and IANA's dynamic range starts above it
    return range(_LISTENER_FLOOR, max(_LISTENER_FLOOR + 1_000, low))


def free_port(run: int = 1) -> int:
    """A TCP port on 127.0.0.1 that is free right now, with the ``run - 1`` ports after it free too,
    chosen at random below the ephemeral range so that no client connection can take it before the
    listener binds it."""
    ports = _listener_ports()
    rng = random.SystemRandom()
    for _ in range(500):
        first = rng.randrange(ports.start, ports.stop - run)
        if all(port_free("127.0.0.1", first + n) for n in range(run)):
            return first
    raise BrokerError(f"no run of {run} free ports found in {ports.start}-{ports.stop - 1} on 127.0.0.1")


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def port_free(host: str, port: int) -> bool:
    """True if a listener could bind host:port now (TIME_WAIT leftovers don't count)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BrokerError(f"cannot resolve broker host {host!r}: {exc}") from exc
    family, socktype, proto, _, addr = infos[0]
    with socket.socket(family, socktype, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError:
            return False
    return True


def port_accepts(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


def text_tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock (serialises launchers in parallel test workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise BrokerError("java is not on PATH; the Kafka broker needs a Java 17+ runtime")
    return found


def heap_bytes(heap: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", heap.strip())
    if match is None:
        raise BrokerError(f"invalid heap size {heap!r}; use a JVM size such as 512m or 1g")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * scale


def write_private_text(path: Path, text: str) -> None:
    """Write a file only its owner can read: server.properties holds the admin's SCRAM password."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
