"""Real infrastructure for the test tiers, started once per session.

Kafka and PostgreSQL come from, in order: CASEHUB_KAFKA_BOOTSTRAP / CASEHUB_TEST_POSTGRES_URL;
testcontainers when a Docker engine answers; otherwise the project's own launchers in deploy/
(a real Apache Kafka broker from Maven Central jars, a throwaway PostgreSQL cluster). Never skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.kafka_broker import KafkaBroker, ensure_jars, free_port
from deploy.postgres_cluster import PostgresCluster, ensure_postgres_installed
from tests.databases import fresh_postgres_database


def docker_engine_available() -> bool:
    try:
        import docker  # testcontainers depends on it

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Kafka broker for the whole session."""
    if bootstrap := os.environ.get("CASEHUB_KAFKA_BOOTSTRAP"):
        yield bootstrap
    elif docker_engine_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            yield container.get_bootstrap_server()
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="casehub-test-kafka-"))
        broker = KafkaBroker(data_dir=data_dir, port=free_port(), controller_port=free_port())
        ensure_jars()
        broker.start()
        try:
            yield broker.bootstrap
        finally:
            broker.stop()
            shutil.rmtree(data_dir, ignore_errors=True)


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
    """A fresh, empty database on the session's PostgreSQL server, dropped afterwards."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'casehub.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault scenarios' figures (published / stored / dead-lettered / duplicated) and the
    poison fuzzer's lines (records, stalls, losses, dead letters by reason)."""
    from tests.integration.faults import FIGURES
    from tests.integration.test_fuzz_materializer import FIGURES as FUZZ_FIGURES

    if FIGURES:
        terminalreporter.section("exactly-once under faults")
        for row in FIGURES:
            terminalreporter.write_line("  ".join(f"{key}={value}" for key, value in row.items()))
    if FUZZ_FIGURES:
        terminalreporter.section("no record stops the hub (poison fuzzer)")
        for line in FUZZ_FIGURES:
            terminalreporter.write_line(line)
