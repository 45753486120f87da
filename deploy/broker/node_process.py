"""A broker JVM as the OS sees it: its pid file, whether a pid is really our node, stopping it.

The launcher works across processes (any `KafkaBroker` with the same data_dir can stop the node), so
the pid is recorded in a file and checked against /proc before a signal is sent: a stale pid must
never kill an unrelated process that reused it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from deploy.broker.host import heap_bytes, java
from deploy.broker.jars import KAFKA_DIR

LOG4J_CONFIG = KAFKA_DIR / "log4j2.properties"


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def is_node(pid: int, config_file: Path) -> bool:
    """Alive (not a zombie) and really ``kafka.Kafka`` with this config file."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state in ("Z", "X"):
        return False
    args = [arg.decode(errors="replace") for arg in cmdline]
    return "kafka.Kafka" in args and str(config_file) in args


def wait_gone(pid: int, config_file: Path, child: subprocess.Popen[bytes] | None, timeout: float) -> bool:
    """Wait until the node is gone (reaping it when it is our child); True if it went in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.pid == pid:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.2)
        if not is_node(pid, config_file):
            return True
        time.sleep(0.1)
    return not is_node(pid, config_file)


def send_signal(pid: int, signum: signal.Signals) -> None:
    """Signal the node; one that already exited is not an error."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def jvm_command(heap: str, libs: Path, logs_dir: Path, config_file: Path) -> list[str]:
    """The node's JVM: `kafka.Kafka config_file` on the Maven-assembled classpath, G1 with short pauses."""
    xms = "256m" if heap_bytes(heap) >= 256 << 20 else heap
    return [
        java(),
        f"-Xms{xms}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        # Kafka's own shutdown hook logs the clean shutdown; log4j's would stop first.
        "-Dlog4j2.shutdownHookEnabled=false",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        f"-Dkafka.logs.dir={logs_dir}",
        "-cp",
        f"{libs}/*",
        "kafka.Kafka",
        str(config_file),
    ]
