"""Find Debian's PostgreSQL server binaries, installing the package (as root, with apt-get) if absent.

The cluster launcher (`deploy/postgres_cluster.py`) runs the newest major version found here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import structlog

log = structlog.get_logger()

PG_ROOT = Path("/usr/lib/postgresql")
_APT_TIMEOUT_S = 1200.0
LOG_TAIL_LINES = 20


class PostgresError(Exception):
    """A user-facing failure of the PostgreSQL launcher (message is meant to be shown as is)."""


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _installed_bin_dirs() -> list[Path]:
    """Server bin dirs under /usr/lib/postgresql, newest major version first."""
    if not PG_ROOT.is_dir():
        return []
    dirs = [
        child / "bin"
        for child in PG_ROOT.iterdir()
        if re.fullmatch(r"\d+(\.\d+)?", child.name) and (child / "bin" / "initdb").exists()
    ]
    return sorted(dirs, key=lambda bin_dir: _version_key(bin_dir.parent.name), reverse=True)


def text_tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


def ensure_postgres_installed() -> Path:
    """Return the newest ``/usr/lib/postgresql/<major>/bin``, installing Debian's package if absent."""
    found = _installed_bin_dirs()
    if found:
        return found[0]
    if os.geteuid() != 0:
        raise PostgresError(
            f"PostgreSQL server binaries not found under {PG_ROOT}; "
            "install them with: sudo apt-get install -y postgresql"
        )
    apt = shutil.which("apt-get")
    if apt is None:
        raise PostgresError(
            f"PostgreSQL server binaries not found under {PG_ROOT} and apt-get is not available"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log.info("installing postgresql with apt-get")
    started = time.monotonic()
    for cmd in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "postgresql"]):
        try:
            proc = subprocess.run(
                cmd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=_APT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"{' '.join(cmd[1:3])} did not finish within {_APT_TIMEOUT_S:.0f}s") from exc
        if proc.returncode != 0:
            raise PostgresError(
                f"`apt-get {' '.join(cmd[1:])}` failed (exit {proc.returncode}):\n"
                f"{text_tail(proc.stdout or '')}"
            )
    found = _installed_bin_dirs()
    if not found:
        raise PostgresError(f"apt-get installed postgresql but no initdb appeared under {PG_ROOT}")
    log.info("postgresql installed", bin_dir=str(found[0]), seconds=round(time.monotonic() - started, 1))
    return found[0]
