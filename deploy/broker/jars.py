"""The broker's classpath: every runtime jar of ``deploy/kafka/pom.xml``, fetched once by Maven."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import structlog

from deploy.broker.host import BrokerError, file_lock, text_tail

__all__ = ["DEFAULT_LIBS_DIR", "KAFKA_DIR", "ensure_jars"]

log = structlog.get_logger()

KAFKA_DIR = Path(__file__).resolve().parent.parent / "kafka"
POM_FILE = KAFKA_DIR / "pom.xml"
DEFAULT_LIBS_DIR = KAFKA_DIR / "libs"
MARKER_NAME = ".pom.sha256"

_MVN_TIMEOUT_S = 1800.0


def _pom_digest() -> str:
    return hashlib.sha256(POM_FILE.read_bytes()).hexdigest()


def _jars_current(libs: Path, digest: str) -> bool:
    marker = libs / MARKER_NAME
    try:
        recorded = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == digest and any(libs.glob("kafka_2.13-*.jar"))


def ensure_jars(libs_dir: Path | None = None) -> Path:
    """Make sure the broker's runtime jars are in ``libs_dir`` and return that directory.

    The directory is current when its marker file records the sha256 of ``kafka/pom.xml``;
    otherwise Maven copies every runtime dependency into a fresh directory that then
    replaces the old one (so a changed pom never leaves mixed versions on the classpath).
    """
    libs = (libs_dir if libs_dir is not None else DEFAULT_LIBS_DIR).resolve()
    digest = _pom_digest()
    if _jars_current(libs, digest):
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError(
            "Maven ('mvn') is not on PATH; it is needed once to fetch the Kafka broker jars "
            "from Maven Central (apt-get install maven)"
        )
    with file_lock(libs.parent / f".{libs.name}.lock"):
        if _jars_current(libs, digest):  # another process fetched them meanwhile
            return libs
        staging = libs.parent / f".{libs.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            mvn, "-q", "-B", "-f", str(POM_FILE),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={staging}",
        ]  # fmt: skip
        log.info("fetching kafka broker jars with maven", libs_dir=str(libs))
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=_MVN_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(
                f"mvn did not finish fetching the Kafka broker jars within {_MVN_TIMEOUT_S:.0f}s"
            ) from exc
        if proc.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(
                f"mvn failed (exit {proc.returncode}) fetching the Kafka broker jars "
                f"from {POM_FILE}:\n{text_tail(proc.stdout or '')}"
            )
        jars = sorted(staging.glob("*.jar"))
        if not any(jar.name.startswith("kafka_2.13-") for jar in jars):
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"mvn succeeded but no kafka_2.13 jar was copied into {staging}")
        (staging / MARKER_NAME).write_text(digest + "\n", encoding="utf-8")
        retired = libs.parent / f".{libs.name}.old-{os.getpid()}"
        if libs.exists():
            libs.rename(retired)
        staging.rename(libs)
        shutil.rmtree(retired, ignore_errors=True)
    log.info(
        "kafka broker jars ready",
        libs_dir=str(libs),
        jars=len(jars),
        seconds=round(time.monotonic() - started, 1),
    )
    return libs
