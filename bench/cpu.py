"""CPU time of a process and of a PostgreSQL server, read from /proc: the same meter for ours and the peer.

A process's CPU is utime + stime of /proc/<pid>/stat (every thread of a JVM included). A PostgreSQL
server's is its postmaster's own plus its reaped children's (cutime/cstime: backends that have exited)
plus every live child's, so connections that close during a run still count. The benchmark takes a
difference of two readings around each run, so only one side writes to the server between them.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd on (the command may hold spaces)


def process_cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of `pid` (and of its reaped children if asked), in seconds."""
    fields = _stat_fields(pid)
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14, 15)
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICKS


class PostgresCpu:
    """Reads the CPU a local PostgreSQL server has spent; `available` is False for a remote one."""

    def __init__(self, server_url: str) -> None:
        engine = create_engine(server_url)
        try:
            with engine.connect() as connection:
                backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
                self.postmaster: int | None = int(_stat_fields(backend)[1])  # the backend's parent
        except (OSError, ValueError, IndexError):
            self.postmaster = None  # not on this machine (or /proc unreadable): no figure, said so
        finally:
            engine.dispose()

    @property
    def available(self) -> bool:
        return self.postmaster is not None

    def seconds(self) -> float:
        if self.postmaster is None:
            return 0.0
        total = process_cpu_seconds(self.postmaster, children=True)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = _stat_fields(int(entry.name))
                if int(fields[1]) == self.postmaster:
                    total += sum(int(f) for f in fields[11:15]) / _TICKS
            except (OSError, ValueError, IndexError):
                continue  # exited meanwhile: its time is in the postmaster's cutime once reaped
        return total
