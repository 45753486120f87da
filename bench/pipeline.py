"""Produce, materialize (ours, naive, COPY) and rebuild on the same events, for side-by-side figures."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer
from sqlalchemy.orm import Session

from bench.cpu import PostgresCpu, process_cpu_seconds
from consumers.clock import utcnow
from consumers.projections import stored_event
from producers.publisher import Publisher
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from services.bootstrap import create_topics
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import Settings
from services.store.engine import make_engine, migrate
from services.store.tables import CaseEventRow

_CHECKOUT = str(Path(__file__).resolve().parents[1])


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def produce(settings: Settings, events: Sequence[CaseEvent]) -> Rate:
    """Validation + encoding + send with broker confirmation, through the publisher agencies use.

    The events were just generated: a full GC collection before the clock starts settles that debt, so
    the cyclic GC's walk over the 200,000 fixture events (~0.8 s, once) is not counted as publishing;
    whatever the publisher allocates still is."""
    create_topics(settings)
    publisher = Publisher(
        bootstrap=settings.kafka_bootstrap,
        topic_of=settings.agency_topic,
        security=client_options(settings, Role.ADMIN),
    )
    publisher.start()  # connected before the clock starts: the figure is publishing, not connecting
    gc.collect()
    started = time.perf_counter()
    report = publisher.publish(events)
    seconds = time.perf_counter() - started
    publisher.close()
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} events were not confirmed: {report.failed[:3]}")
    return Rate(report.sent, seconds)


@dataclass(frozen=True)
class Materialized:
    rate: Rate
    peak_rss_mb: float
    workers: int
    cpu_s: float
    """CPU of the materializer processes while they ran (their interpreter start excluded)."""
    postgres_cpu_s: float | None = None
    """CPU of the PostgreSQL server over the run, when a meter was given and the server is local."""
    broker_cpu_s: float | None = None
    """CPU of the bench's own Kafka broker over the run (serving the fetches and the offset commits)."""
    whole_seconds: float = 0.0
    """From the processes' start to the last batch's end: interpreter start, joining the group (up to
    the broker's group.initial.rebalance.delay.ms and its extensions) and the first fetch included."""


def materialize(
    settings: Settings,
    database_url: str,
    total: int,
    workers: int = 1,
    postgres_cpu: PostgresCpu | None = None,
    broker_pid: int | None = None,
) -> Materialized:
    """Catch up on `total` preloaded records with `workers` processes of one consumer group (each its own
    process, so its peak RSS is its own); timed from the first batch's start to the last batch's end.
    The schema is created first, so the PostgreSQL CPU read around the run is the writes' alone."""
    engine = make_engine(database_url)
    migrate(engine)
    engine.dispose()
    pg_before = postgres_cpu.seconds() if postgres_cpu else 0.0
    broker_before = process_cpu_seconds(broker_pid) if broker_pid else 0.0
    env = worker_env(settings, database_url)
    command = [sys.executable, "-m", "bench.materialize_worker", str(total)]
    spawned = time.time()
    members = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    results = []
    for member in members:
        out, err = member.communicate()
        if member.returncode != 0:
            raise RuntimeError(f"materializer worker failed: {err.strip().splitlines()[-1:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    read = sum(r["records"] for r in results)
    active = [r for r in results if r["first_started"] is not None]
    seconds = max(r["last_ended"] for r in active) - min(r["first_started"] for r in active)
    postgres_s = postgres_cpu.seconds() - pg_before if postgres_cpu and postgres_cpu.available else None
    broker_s = process_cpu_seconds(broker_pid) - broker_before if broker_pid else None
    return Materialized(
        Rate(read, seconds),
        max(r["peak_rss_mb"] for r in results),
        workers,
        sum(r["cpu_s"] for r in results),
        postgres_s,
        broker_s,
        max(r["last_ended"] for r in active) - spawned,
    )


def naive(settings: Settings, database_url: str, limit: int, max_seconds: float) -> Rate:
    """The straightforward consumer: decode one message, one ORM insert, one commit, next."""
    engine = make_engine(database_url)
    migrate(engine)
    codec = CaseEventCodec()
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"{settings.consumer_group}-naive",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=5000,
        **client_options(settings, Role.ADMIN),
    )
    consumer.subscribe(pattern=settings.agency_topic_pattern)
    count, started = 0, None
    with Session(engine) as session:
        for message in consumer:
            started = started or time.perf_counter()
            event = stored_event(
                codec.decode(message.value), message.topic, message.partition, message.offset
            )
            session.add(CaseEventRow(**vars(event), materialized_at=utcnow()))
            session.commit()
            consumer.commit()
            count += 1
            if count >= limit or time.perf_counter() - started > max_seconds:
                break
    seconds = time.perf_counter() - (started or time.perf_counter())
    consumer.close()
    engine.dispose()
    return Rate(count, seconds)


def copy_limit(events: Sequence[CaseEvent], database_url: str) -> Rate:
    """The same log rows loaded straight into PostgreSQL with COPY: the store's physical limit."""
    engine = make_engine(database_url)
    migrate(engine)
    rows = [vars(stored_event(e, "t", 0, i)) for i, e in enumerate(events)]
    columns = [*rows[0], "materialized_at"]
    now = utcnow()
    buffer = io.StringIO()
    for row in rows:
        values = [json.dumps(v) if isinstance(v, dict) else v for v in row.values()]
        buffer.write("\t".join(_copy_text(v) for v in [*values, now]) + "\n")
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()  # psycopg 3: COPY FROM STDIN through cursor.copy()
        with cursor.copy(f"COPY case_events ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.close()
        raw.commit()
    finally:
        raw.close()
    seconds = time.perf_counter() - started
    engine.dispose()
    return Rate(len(rows), seconds)


@dataclass(frozen=True)
class Rebuilt:
    rate: Rate
    processes: int
    cpu_s: float
    """CPU of this process and of the replay processes it started and reaped during the rebuild."""
    postgres_cpu_s: float | None


def rebuild(settings: Settings, database_url: str, postgres_cpu: PostgresCpu | None = None) -> Rebuilt:
    """`rebuild_store` as `casehub rebuild` runs it, in a process of its own (bench/rebuild_worker.py;
    on PostgreSQL one replay process per core given)."""
    meter = postgres_cpu if postgres_cpu is not None and postgres_cpu.available else None
    postgres_before = meter.seconds() if meter else 0.0
    env = {**worker_env(settings, database_url), "CASEHUB_REBUILD_TARGET": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "bench.rebuild_worker"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"rebuild worker failed: {done.stderr.strip().splitlines()[-1:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    postgres_s = meter.seconds() - postgres_before if meter else None
    return Rebuilt(
        Rate(result["records"], result["seconds"]), result["processes"], result["cpu_s"], postgres_s
    )


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def worker_env(settings: Settings, database_url: str) -> dict[str, str]:
    """A materializer worker process's environment: the settings, the database, and the checkout on
    PYTHONPATH (the bench is not an installed package: `python -m bench...` finds it there)."""
    path = [_CHECKOUT, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        **settings_env(settings),
        "CASEHUB_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(path),
    }


def settings_env(settings: Settings) -> dict[str, str]:
    names = ["kafka_bootstrap", "kafka_security", "topic_prefix", "dead_letter_topic", "consumer_group"]
    names += ["kafka_username", "home"]
    return {f"CASEHUB_{name.upper()}": str(getattr(settings, name)) for name in names} | {
        "CASEHUB_METRICS_PORT": "0"
    }
