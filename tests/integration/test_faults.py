"""Exactly once under faults: every valid event stored once, every poison message explained.

Five scenarios on the real broker and PostgreSQL. `make test` runs them at CASEHUB_FAULT_EVENTS
(default 3,000 valid events); the long variants (`-m slow`, 20,000 events) are run by hand.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from consumers.materializer import Materializer
from deploy.kafka_broker import KafkaBroker
from deploy.postgres_cluster import PostgresCluster
from services.bootstrap import build_materializer, build_publisher, consumer_store, create_topics, open_store
from services.settings import Settings
from services.store.sql_store import SqlCaseStore
from tests.databases import upgraded
from tests.e2e.test_cli import CASEHUB, casehub_env
from tests.integration.faults import (
    FaultDataset,
    dead_letter_reasons,
    expected_digest,
    record_figures,
    store_digest,
    stored_count,
)
from tests.integration.helpers import isolated_settings, read_all
from tests.secure_broker import session_broker_like, start_provisioned

pytestmark = pytest.mark.integration
SHORT = int(os.environ.get("CASEHUB_FAULT_EVENTS", "3000"))
SIZES = [
    pytest.param(SHORT, id=f"{SHORT}-events"),
    pytest.param(20_000, id="20000-events", marks=pytest.mark.slow),
]
EXPECTED_REASONS = ["magic byte", "unknown schema id", "DecodeError", "may not publish", "27", "fine_vnd"]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


class ConsumerThread:
    """An in-process materializer in a thread, stopped and closed on demand."""

    def __init__(self, settings: Settings, store: SqlCaseStore) -> None:
        self.materializer: Materializer = build_materializer(settings, store)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.materializer.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self) -> int:
        self.stop_event.set()
        self.thread.join(timeout=60)
        self.materializer.source.close()
        self.materializer.dead_letter_sink.close()
        return self.materializer.stats.records


def prepare(settings: Settings, size: int, times: int = 1) -> tuple[FaultDataset, int, Engine, SqlCaseStore]:
    create_topics(settings)
    dataset = FaultDataset(size)
    publisher = build_publisher(settings)
    published = dataset.publish(settings, publisher, times)
    publisher.close()
    engine, _ = open_store(settings)  # checks the schema; the consumer's store is the one `consume` uses
    return dataset, published, engine, consumer_store(settings)


def assert_exactly_once(dataset: FaultDataset, engine: Engine, settings: Settings) -> None:
    assert store_digest(engine) == expected_digest(dataset.events)
    reasons = dead_letter_reasons(engine)
    assert len(reasons) == len(dataset.poison), reasons
    for expected in EXPECTED_REASONS:
        assert any(expected in reason for reason in reasons), (
            f"no dead letter mentions {expected!r}: {reasons}"
        )
    on_topic = read_all(settings.kafka_bootstrap, settings.dead_letter_topic, expected=len(dataset.poison))
    positions = {
        (h["casehub.errors.topic"], h["casehub.errors.offset"]) for h in (dict(r.headers) for r in on_topic)
    }  # type: ignore[attr-defined]
    assert len(positions) == len(dataset.poison), "every poison message is on the dead-letter topic"


def throttled(settings: Settings) -> Settings:
    """Small batches and a short session, so faults land mid-run and restarts rejoin fast."""
    return settings.model_copy(update={"max_poll_records": 150, "consumer_session_timeout_ms": 6_000})


@pytest.mark.parametrize("size", SIZES)
def test_consumer_killed_with_sigkill_repeatedly(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path, size: int
) -> None:
    settings = throttled(isolated_settings(kafka_bootstrap, postgres_url))
    dataset, published, engine, _ = prepare(settings, size)
    env = {
        **casehub_env(settings, tmp_path),
        "CASEHUB_MAX_POLL_RECORDS": "150",
        "CASEHUB_CONSUMER_SESSION_TIMEOUT_MS": "6000",
        "CASEHUB_CONSUMER_PROCESSES": "1",  # the kill lands in the consumer mid-batch, not in a parent
    }
    kills = 0
    rng = random.Random(7)
    for _ in range(3):
        before = stored_count(engine)
        consumer = subprocess.Popen(
            [CASEHUB, "consume"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: stored_count(engine) > before, 90, "progress before the kill")  # noqa: B023
        time.sleep(rng.uniform(0.0, 0.3))
        consumer.kill()
        consumer.wait()
        kills += 1
        if stored_count(engine) >= len(dataset.events):
            break
    final = subprocess.run(
        [CASEHUB, "consume", "--until-idle", "4"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert final.returncode == 0, final.stderr
    assert_exactly_once(dataset, engine, settings)
    record_figures("1 consumer SIGKILLed", published, dataset, engine, kills=kills)


@pytest.fixture(scope="module")
def own_broker(kafka_bootstrap: str) -> Iterator[KafkaBroker]:
    """A broker this module may stop and restart (the session broker is shared; it is asked for only
    for its CA and admin, which this broker trusts too)."""
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-fault-kafka-"))
    broker = session_broker_like(data_dir, heap="512m")
    start_provisioned(broker)
    yield broker
    broker.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.parametrize("size", SIZES)
def test_broker_stopped_and_restarted_mid_run(own_broker: KafkaBroker, postgres_url: str, size: int) -> None:
    settings = throttled(isolated_settings(own_broker.bootstrap, postgres_url))
    dataset, published, engine, store = prepare(settings, size)
    consumer = ConsumerThread(settings, store)
    wait_until(lambda: stored_count(engine) > 0, 90, "progress before the outage")
    own_broker.stop()
    stored_during_outage = stored_count(engine)
    time.sleep(3)
    own_broker.start()
    wait_until(lambda: stored_count(engine) >= len(dataset.events), 240, "catching up after the outage")
    time.sleep(2)  # let the last dead letters and commits land
    consumer.stop()
    assert_exactly_once(dataset, engine, settings)
    record_figures("2 broker restarted", published, dataset, engine, stored_at_outage=stored_during_outage)


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresCluster]:
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-fault-pg-"))
    cluster = PostgresCluster(data_dir=data_dir)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.parametrize("size", SIZES)
def test_postgres_stopped_and_restarted_mid_run(
    kafka_bootstrap: str, own_postgres: PostgresCluster, size: int
) -> None:
    settings = throttled(isolated_settings(kafka_bootstrap, upgraded(own_postgres.url)))
    dataset, published, engine, store = prepare(settings, size)
    consumer = ConsumerThread(settings, store)
    wait_until(lambda: stored_count(engine) > 0, 90, "progress before the outage")
    own_postgres.stop()
    time.sleep(3)
    own_postgres.start()
    wait_until(lambda: stored_count(engine) >= len(dataset.events), 240, "catching up after the outage")
    time.sleep(2)
    consumer.stop()
    assert_exactly_once(dataset, engine, settings)
    record_figures("3 PostgreSQL restarted", published, dataset, engine)
    engine.dispose()


@pytest.mark.parametrize("size", SIZES)
def test_second_consumer_joins_and_leaves_mid_run(kafka_bootstrap: str, postgres_url: str, size: int) -> None:
    settings = throttled(isolated_settings(kafka_bootstrap, postgres_url))
    create_topics(settings)
    dataset = FaultDataset(size)
    half = len(dataset.events) // 2
    publisher = build_publisher(settings)
    publisher.publish(dataset.events[:half])
    engine, store = open_store(settings)
    first = ConsumerThread(settings, store)
    wait_until(lambda: stored_count(engine) > 0, 90, "the first consumer's progress")
    second = ConsumerThread(settings, store)
    wait_until(second.materializer.source.is_assigned, 90, "the second consumer's share of partitions")
    published = half + dataset.publish_rest(settings, publisher, start=half)
    publisher.close()
    wait_until(lambda: second.materializer.stats.records > 0, 90, "the second consumer reading its share")
    second_records = second.stop()
    wait_until(lambda: stored_count(engine) >= len(dataset.events), 240, "the first consumer finishing alone")
    time.sleep(2)
    first_records = first.stop()
    assert_exactly_once(dataset, engine, settings)
    record_figures(
        "4 rebalance (join + leave)",
        published,
        dataset,
        engine,
        records_read=first_records + second_records,
        second_consumer_records=second_records,
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_same_events_delivered_twice(kafka_bootstrap: str, postgres_url: str, size: int) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url)
    dataset, published, engine, store = prepare(settings, size, times=2)
    consumer = ConsumerThread(settings, store)
    wait_until(lambda: consumer.materializer.stats.records >= published, 240, "reading every record")
    records = consumer.stop()
    assert records == published
    assert_exactly_once(dataset, engine, settings)
    record_figures("5 delivered twice", published, dataset, engine, records_read=records)
