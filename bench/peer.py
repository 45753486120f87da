"""The peer a user would deploy instead of our materializer: Kafka Connect + Debezium's JDBC sink.

The same simulated events are published a second time, as JSON records carrying their Connect schema
(what the JsonConverter with schemas.enable=true reads), to a topic of their own; a standalone worker
(deploy/connect_worker.py) upserts them by event id into one table of a fresh PostgreSQL database on
the benchmark's server. Each row is the row our log table (case_events) gets for the event, the JSON
parts as jsonb. Timed from the connector's creation (the JVM already up, as a deployed worker would
be) until its consumer group has committed every record, i.e. every row is committed in PostgreSQL.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import make_url, text

from bench.cpu import PostgresCpu, process_cpu_seconds
from consumers.projections import stored_event
from deploy.connect_plugin import ConnectError, ensure_connect_jars
from deploy.connect_worker import ConnectWorker, KafkaClientSecurity
from schemas.events import CaseEvent
from services.kafka_admin import ensure_topics
from services.store.engine import make_engine

TABLE = "peer_case_events"
CONNECTOR = "casehub-bench-peer"
"""Each run's connector (and so its consumer group, connect-<name>) gets this prefix and a fresh tag."""
BATCH = 4000
"""Records per JDBC batch and per consumer poll (the issue's 2,000–5,000)."""
_TIMESTAMP = {"type": "string", "name": "io.debezium.time.ZonedTimestamp"}
_JSON = {"type": "string", "name": "io.debezium.data.Json"}
_COLUMNS: dict[str, dict[str, Any]] = {
    "event_id": {"type": "string"},
    "case_id": {"type": "string"},
    "event_type": {"type": "string"},
    "agency": {"type": "string"},
    "reporting_unit": {"type": "string"},
    "occurred_at": _TIMESTAMP,
    "recorded_at": _TIMESTAMP,
    "producer": {"type": "string"},
    "schema_version": {"type": "int32"},
    "distribution": _JSON,
    "embargo_until": {**_TIMESTAMP, "optional": True},
    "payload": _JSON,
    "source_topic": {"type": "string"},
    "source_partition": {"type": "int32"},
    "source_offset": {"type": "int64"},
}
SCHEMA = {
    "type": "struct",
    "name": "casehub.CaseEventRow",
    "optional": False,
    "fields": [{"optional": False, **spec, "field": name} for name, spec in _COLUMNS.items()],
}
_DDL = f"""CREATE TABLE {TABLE} (
    event_id text PRIMARY KEY, case_id text NOT NULL, event_type text NOT NULL, agency text NOT NULL,
    reporting_unit text NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL,
    producer text NOT NULL, schema_version integer NOT NULL, distribution jsonb NOT NULL,
    embargo_until timestamptz, payload jsonb NOT NULL, source_topic text NOT NULL,
    source_partition integer NOT NULL, source_offset bigint NOT NULL,
    landed_at timestamptz NOT NULL DEFAULT clock_timestamp())"""
"""landed_at is not in the records: PostgreSQL stamps each row as the sink inserts it."""


@dataclass(frozen=True)
class PeerRun:
    rows: int
    seconds: float
    """From the first row's insert to the last one's (landed_at), as ours is timed from its first batch
    to its last: the sink task's start (Hibernate, the connection pool) and the last offset commit are
    left out, which favours the peer slightly (ours counts its whole first batch)."""
    whole_seconds: float
    """From the connector's creation until its group committed every record."""
    worker_cpu_s: float
    postgres_cpu_s: float | None
    """None when the PostgreSQL server is not on this machine (its CPU cannot be read)."""

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def connect_record(event: CaseEvent, position: int) -> bytes:
    """The event's log row as a JsonConverter record with its schema (schemas.enable=true)."""
    row = vars(stored_event(event, "casehub.bench.peer", 0, position))
    payload = {
        name: (
            orjson.dumps(value).decode()
            if spec is _JSON
            else value.isoformat()
            if hasattr(value, "isoformat")
            else value
        )
        for name, value in row.items()
        for spec in (_COLUMNS[name],)
    }
    return orjson.dumps({"schema": SCHEMA, "payload": payload})


def publish_records(
    bootstrap: str,
    topic: str,
    events: Sequence[CaseEvent],
    partitions: int = 6,
    security: Mapping[str, object] | None = None,
) -> int:
    """Publish the events as Connect records (keyed by event id) to `topic`, confirmed by the broker;
    `security`: the kafka-python login options of the client (services.broker_access.client_options)."""
    ensure_topics(bootstrap, [topic], partitions, 30.0, security)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, batch_size=256 * 1024, acks="all", **dict(security or {})
    )
    try:
        futures = [
            producer.send(topic, key=str(e.event_id).encode(), value=connect_record(e, i))
            for i, e in enumerate(events)
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    return len(events)


def create_table(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(_DDL))
    engine.dispose()


def sink_config(database_url: str, topic: str) -> dict[str, str]:
    """Debezium JDBC sink: upsert by the record value's event_id, BATCH rows per statement batch."""
    url = make_url(database_url)
    return {
        "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
        "tasks.max": "1",
        "topics": topic,
        "connection.url": f"jdbc:postgresql://{url.host}:{url.port or 5432}/{url.database}",
        "connection.username": url.username or "",
        "connection.password": url.password or "",
        "insert.mode": "upsert",
        "primary.key.mode": "record_value",
        "primary.key.fields": "event_id",
        "schema.evolution": "none",
        "collection.name.format": TABLE,
        "batch.size": str(BATCH),
    }


def run_peer(
    bootstrap: str,
    server_url: str,
    database_url: str,
    topic: str,
    total: int,
    workdir: Path,
    security: KafkaClientSecurity | None = None,
    timeout: float = 900,
) -> PeerRun:
    """Start a worker, land the `total` records of `topic` into the table `create_table` made in
    `database_url`, measure, stop the worker."""
    security = security or KafkaClientSecurity()
    worker = ConnectWorker(ensure_connect_jars(), workdir, bootstrap, security, max_poll_records=BATCH)
    postgres = PostgresCpu(server_url)
    worker.start()
    try:
        name = f"{CONNECTOR}-{uuid.uuid4().hex[:8]}"
        cpu0, pg0, started = process_cpu_seconds(worker.pid), postgres.seconds(), time.perf_counter()
        worker.create_connector(name, sink_config(database_url, topic))
        _wait_committed(worker, name, bootstrap, security, total, started + timeout)
        whole = time.perf_counter() - started
        cpu, pg = process_cpu_seconds(worker.pid) - cpu0, postgres.seconds() - pg0
    finally:
        worker.stop()
    rows, landing = landed(database_url)
    return PeerRun(rows, landing, whole, cpu, pg if postgres.available else None)


def landed(database_url: str) -> tuple[int, float]:
    """Rows in the peer's table, and the seconds from the first row's insert to the last one's."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count, seconds = connection.execute(
            text(f"SELECT count(*), extract(epoch FROM max(landed_at) - min(landed_at)) FROM {TABLE}")
        ).one()
    engine.dispose()
    return int(count), float(seconds or 0.0)


def _wait_committed(
    worker: ConnectWorker,
    name: str,
    bootstrap: str,
    security: KafkaClientSecurity,
    total: int,
    deadline: float,
) -> None:
    """Until the sink's consumer group has committed `total` records (offsets of a fresh topic from 0)."""
    group = f"connect-{name}"
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="casehub-bench-peer", **security.client_options()
    )
    try:
        while time.perf_counter() < deadline:
            for state, trace in worker.task_states(name):
                if state == "FAILED":
                    database = "; ".join(worker.database_errors())
                    raise ConnectError(
                        f"the JDBC sink task failed: {_reason(trace)}"
                        + (f" (the database said: {database})" if database else "")
                    )
            try:
                offsets = admin.list_group_offsets(group).get(group, {})
            except KafkaError:  # the group is not known before its first commit
                offsets = {}
            if sum(max(o.offset, 0) for o in offsets.values()) >= total:
                return
            time.sleep(0.1)
    finally:
        admin.close()
    raise ConnectError(f"the JDBC sink did not commit {total} records in time; see {worker.log_file}")


def _reason(trace: str) -> str:
    """A Java trace's first line and its root cause (the last "Caused by:"), without the stack frames."""
    lines = [line.strip() for line in trace.strip().splitlines()]
    causes = [line for line in lines if line.startswith("Caused by:")]
    return " … ".join(([lines[0]] if lines else []) + causes[-1:]) or "(no trace)"
