"""The benchmark peer's Java parts, fetched once from Maven Central with the project's own pom.

``deploy/connect/pom.xml`` lists a Kafka Connect worker's classpath (connect-runtime, -json, -api,
-transforms, the log4j2 binding) and Debezium's JDBC sink plugin archive. Maven copies the first into
``deploy/connect/libs`` and unpacks the second into ``deploy/connect/plugins`` (the worker's
``plugin.path``). Both are cached: a marker records the pom's sha256, and a changed pom refetches both
into fresh folders, so mixed versions never meet on a classpath. Nothing is downloaded at bench time
once they are there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import structlog

from deploy.kafka_broker import BrokerError

log = structlog.get_logger()

CONNECT_DIR = Path(__file__).resolve().parent / "connect"
POM_FILE = CONNECT_DIR / "pom.xml"
LOG4J_CONFIG = CONNECT_DIR / "log4j2.properties"
MARKER_NAME = ".pom.sha256"
SINK_FOLDER = "debezium-connector-jdbc"

_MVN_TIMEOUT_S = 1800.0


class ConnectError(BrokerError):
    """A user-facing failure of the Connect worker's assembly or launch (shown as is)."""


@dataclass(frozen=True)
class ConnectInstall:
    """Where the worker's classpath and its plugin.path are."""

    libs: Path
    plugins: Path


def ensure_connect_jars(root: Path | None = None) -> ConnectInstall:
    """Make sure the worker jars and the unpacked JDBC sink plugin match the pom; fetch them if not."""
    base = (root if root is not None else CONNECT_DIR).resolve()
    install = ConnectInstall(base / "libs", base / "plugins")
    digest = hashlib.sha256(POM_FILE.read_bytes()).hexdigest()
    if _current(install, digest):
        return install
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConnectError(
            "Maven ('mvn') is not on PATH; it is needed once to fetch Kafka Connect and the Debezium "
            "JDBC sink from Maven Central (apt-get install maven)"
        )
    import fcntl

    base.mkdir(parents=True, exist_ok=True)
    with (base / ".connect.lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if _current(install, digest):  # another process fetched them meanwhile
            return install
        staging = base / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        log.info("fetching kafka connect and the debezium jdbc sink with maven", into=str(base))
        _mvn(
            mvn, "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={staging}/libs"
        )
        _mvn(mvn, "dependency:unpack@jdbc-sink-plugin", f"-DoutputDirectory={staging}/plugins")
        if not any((staging / "plugins" / SINK_FOLDER).glob("debezium-connector-jdbc-*.jar")):
            raise ConnectError(f"the Debezium JDBC sink archive did not unpack into {staging}/plugins")
        (staging / MARKER_NAME).write_text(digest + "\n", encoding="utf-8")
        for part in ("libs", "plugins"):
            shutil.rmtree(base / part, ignore_errors=True)
            (staging / part).rename(base / part)
        (staging / MARKER_NAME).rename(base / MARKER_NAME)
        shutil.rmtree(staging, ignore_errors=True)
    return install


def _current(install: ConnectInstall, digest: str) -> bool:
    try:
        recorded = (install.libs.parent / MARKER_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return (
        recorded == digest
        and any(install.libs.glob("connect-runtime-*.jar"))
        and any((install.plugins / SINK_FOLDER).glob("debezium-connector-jdbc-*.jar"))
    )


def _mvn(mvn: str, *args: str) -> None:
    cmd = [mvn, "-q", "-B", "-f", str(POM_FILE), *args]
    try:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=_MVN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ConnectError(f"maven did not finish {args[0]} within {_MVN_TIMEOUT_S:g}s") from exc
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.decode(errors="replace").splitlines()[-20:])
        raise ConnectError(f"maven {args[0]} failed (exit {proc.returncode}):\n{tail}")
