"""Real infrastructure for the test tiers, started once per session.

Kafka comes from CASEHUB_KAFKA_BOOTSTRAP (with its CASEHUB_KAFKA_* security settings) or the project's
own launcher: a real Apache Kafka broker from Maven Central jars, secured as the hub runs it (SASL_SSL,
SCRAM users, ACLs; see tests/secure_broker.py). PostgreSQL from CASEHUB_TEST_POSTGRES_URL, testcontainers
when a Docker engine answers, otherwise a throwaway cluster from deploy/. Never skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy.postgres_cluster import PostgresCluster, ensure_postgres_installed
from tests.databases import fresh_postgres_database, upgraded
from tests.secure_broker import running_secure_broker


def docker_engine_available() -> bool:
    try:
        import docker  # testcontainers depends on it

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Kafka broker for the whole session, SASL_SSL with the hub's users and ACLs.

    (testcontainers' Kafka image runs PLAINTEXT without ACLs, so the refusal tests could not run on
    it: the session always uses the project's secured launcher.)"""
    if bootstrap := os.environ.get("CASEHUB_KAFKA_BOOTSTRAP"):
        yield bootstrap
        return
    home = Path(tempfile.mkdtemp(prefix="casehub-test-kafka-"))
    try:
        with running_secure_broker(home) as bootstrap:
            SESSION_BROKER_HOME.append(home)
            yield bootstrap
    finally:
        SESSION_BROKER_HOME.clear()
        shutil.rmtree(home, ignore_errors=True)


SESSION_BROKER_HOME: list[Path] = []
"""Where the session's own broker keeps its state (empty when CASEHUB_KAFKA_BOOTSTRAP names another)."""


@pytest.fixture(scope="session")
def kafka_log_dir(kafka_bootstrap: str) -> Path:
    """The session broker's log directory (one folder per partition), for tests that damage a segment."""
    if not SESSION_BROKER_HOME:
        pytest.skip("CASEHUB_KAFKA_BOOTSTRAP names a broker whose log files this test cannot reach")
    return SESSION_BROKER_HOME[0] / "broker" / "kraft"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A real PostgreSQL server for the whole session (tests get their own databases on it)."""
    if url := os.environ.get("CASEHUB_TEST_POSTGRES_URL"):
        yield url
    elif docker_engine_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="psycopg") as container:
            yield container.get_connection_url()
    else:
        ensure_postgres_installed()
        data_dir = Path(tempfile.mkdtemp(prefix="casehub-test-pg-"))
        cluster = PostgresCluster(data_dir=data_dir)
        try:
            yield cluster.start()
        finally:
            cluster.stop()
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server, upgraded to the newest schema (as
    `casehub db upgrade` leaves it: processes do not migrate on start), dropped afterwards."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield upgraded(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite store upgraded to the newest schema."""
    return upgraded(f"sqlite:///{tmp_path / 'casehub.db'}")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker gets a CASEHUB_HOME of its own (the session's broker and PostgreSQL
    are already per worker: free ports, fresh temporary directories)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        home = Path(os.environ.get("CASEHUB_HOME", ".casehub")) / f"xdist-{worker}"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["CASEHUB_HOME"] = str(home.resolve())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its summary figures to the controller (tests/run_figures.py)."""
    from tests.run_figures import SECTIONS

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = SECTIONS


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller collects a finished worker's figures (pytest-xdist hook)."""
    from tests.run_figures import merge

    merge(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures the tests recorded: the fault scenarios (published / stored / dead-lettered /
    duplicated), the poison fuzzer's lines, schemathesis' tally, the import corpus score."""
    from tests.run_figures import SECTIONS

    for section, lines in SECTIONS.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
