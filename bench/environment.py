"""The real parts a benchmark runs on: its own Kafka broker and PostgreSQL server (or given ones)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from deploy.kafka_broker import KafkaBroker, ensure_jars, free_port
from deploy.postgres_cluster import PostgresCluster, ensure_postgres_installed


@dataclass(frozen=True)
class BenchEnvironment:
    bootstrap: str
    postgres_server_url: str
    workdir: Path
    own_broker: bool = False
    """True: the bench's own loopback broker, PLAINTEXT (explicitly: figures without TLS, as before)."""
    broker_pid: int | None = None
    """The own broker's JVM, whose CPU per event the bench reports beside ours and PostgreSQL's."""

    def new_postgres_database(self) -> str:
        """A fresh, empty database on the benchmark's PostgreSQL server."""
        name = f"bench_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return make_url(self.postgres_server_url).set(database=name).render_as_string(hide_password=False)

    def retire_database(self, url: str) -> None:
        """Drop a database whose step is over. Left behind, its tables' autovacuum (a VACUUM ANALYZE of
        each table written; after 100,000 events the log table's alone ran ~15 s) runs when the launcher
        next visits it, inside a later step's PostgreSQL CPU and beside its processes."""
        self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def vacuum_database(self, url: str) -> None:
        """VACUUM ANALYZE a database a later step reads, now, outside every measured window: autovacuum
        then has nothing left to do there while other steps run."""
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
        engine.dispose()

    def _admin(self, statement: str) -> None:
        admin = create_engine(self.postgres_server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def new_sqlite_database(self) -> str:
        return f"sqlite:///{self.workdir / f'bench_{uuid.uuid4().hex[:10]}.db'}"


PRODUCTION_GROUP_START = {"group.initial.rebalance.delay.ms": "3000"}
"""Kafka's own default, which any production cluster keeps (the launcher sets 0 for fast tests and the
one-consumer demo): the first rebalance of a new group waits up to 3 s for more members, so member
processes started together get one assignment. With 0 the first member to join took every partition and
the others joined through a rebalance 1–2 s later, inside the measured window (first batch → last): 2
members read 18.1k events/s so against 21.2k when both happened to join together (200,000 events)."""


@contextmanager
def bench_environment() -> Iterator[BenchEnvironment]:
    """CASEHUB_BENCH_KAFKA_BOOTSTRAP / CASEHUB_BENCH_POSTGRES_URL, else a broker and cluster of our own."""
    workdir = Path(tempfile.mkdtemp(prefix="casehub-bench-"))
    broker: KafkaBroker | None = None
    cluster: PostgresCluster | None = None
    try:
        bootstrap = os.environ.get("CASEHUB_BENCH_KAFKA_BOOTSTRAP")
        if not bootstrap:
            ensure_jars()
            broker = KafkaBroker(
                data_dir=workdir / "kafka",
                port=free_port(),
                controller_port=free_port(),
                heap="2g",
                overrides=PRODUCTION_GROUP_START,
            )
            broker.start()
            bootstrap = broker.bootstrap
        postgres = os.environ.get("CASEHUB_BENCH_POSTGRES_URL")
        if not postgres:
            ensure_postgres_installed()
            cluster = PostgresCluster(data_dir=workdir / "postgres", durable=True)
            postgres = cluster.start()
        yield BenchEnvironment(
            bootstrap,
            postgres,
            workdir,
            own_broker=broker is not None,
            broker_pid=broker.status().pid if broker is not None else None,
        )
    finally:
        if broker is not None:
            broker.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
