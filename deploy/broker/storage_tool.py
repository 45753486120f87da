"""Kafka's StorageTool (a short JVM run): a fresh KRaft cluster id, and formatting a node's storage."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from deploy.broker.host import BrokerError, java, text_tail

TOOL_TIMEOUT_S = 180.0


def run_storage_tool(libs: Path, cwd: Path, *args: str) -> str:
    """StorageTool's output; BrokerError with its last lines when it fails or hangs."""
    cmd = [java(), "-Xmx256m", "-cp", f"{libs}/*", "kafka.tools.StorageTool", *args]
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(f"kafka StorageTool {args[0]} did not finish in {TOOL_TIMEOUT_S:.0f}s") from exc
    if proc.returncode != 0:
        raise BrokerError(
            f"kafka StorageTool {args[0]} failed (exit {proc.returncode}):\n{text_tail(proc.stdout or '')}"
        )
    return proc.stdout or ""


def new_cluster_id(libs: Path, cwd: Path) -> str:
    """A fresh KRaft cluster id from Kafka's StorageTool."""
    lines = [line.strip() for line in run_storage_tool(libs, cwd, "random-uuid").splitlines()]
    candidates = [line for line in lines if re.fullmatch(r"[A-Za-z0-9_-]{22}", line)]
    if not candidates:
        raise BrokerError(f"kafka StorageTool random-uuid printed no cluster id: {lines!r}")
    return candidates[-1]
