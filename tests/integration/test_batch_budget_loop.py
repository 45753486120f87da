"""The batch budget in the live loop on real Kafka: a full poll is written in parts, each part its own
transaction with its offsets, every event once, the store's offsets at the log's end."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest
from sqlalchemy import text

from consumers.batch_budget import BatchBudget
from consumers.kafka_io import KafkaRecordSource
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent
from consumers.source import InboundRecord
from producers.publish_report import Delivery
from producers.simulator.simulation import simulate_events
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import Settings
from services.store.queries import store_counts
from services.store.sql_store import SqlCaseStore
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration


class CountingSource(KafkaRecordSource):
    """The real group subscription, remembering how many records each poll handed over."""

    polled: list[int]

    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        records = super().poll(timeout_s, max_records)
        if records:
            self.polled.append(len(records))
        return records


def counting_source(
    settings: Settings, store: SqlCaseStore, kind: type[CountingSource] = CountingSource
) -> CountingSource:
    source = kind(
        security=client_options(settings, Role.MATERIALIZER),
        bootstrap=settings.kafka_bootstrap,
        group=settings.consumer_group,
        topic_pattern=settings.agency_topic_pattern,
        stored_offsets=lambda: store.stored_offsets(settings.consumer_group),
        max_poll_records=settings.max_poll_records,
    )
    source.polled = []
    return source


class BatchSizes(BatchObserver):
    def __init__(self) -> None:
        self.sizes: list[int] = []

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        self.sizes.append(records)


def test_a_full_poll_is_written_in_budgeted_parts_and_every_event_lands_once(
    kafka_bootstrap: str, database_url: str
) -> None:
    # A 1 ms budget fits no 100 records on any machine: once a batch was timed, parts are the floor (100).
    # The records wait a few seconds here, which would earn a backlog's bigger parts: not in this test
    # (tests/unit/test_budgeted_loop.py has them).
    settings = isolated_settings(kafka_bootstrap, database_url)
    create_topics(settings)
    events = list(simulate_events(451, seed=17))
    publisher = build_publisher(settings)
    deliveries = publisher.publish(events[:1]).deliveries  # the first batch teaches the budget its cost

    engine, store = open_store(settings)
    sizes = BatchSizes()
    materializer = build_materializer(settings, store, observer=sizes)
    materializer.budget = BatchBudget(0.001, backlog_share=0.0)
    try:
        materializer.source = first = counting_source(settings, store)
        materializer.run(threading.Event(), idle_exit_s=2)
        first.close()
        assert sizes.sizes == [1]
        deliveries += publisher.publish(events[1:]).deliveries
        assert len(deliveries) == 451
        sizes.sizes.clear()
        # A new member (the budget stays with the loop): its first fetch finds all 450 waiting.
        materializer.source = source = counting_source(settings, store)
        materializer.run(threading.Event(), idle_exit_s=2)
    finally:
        publisher.close()
        materializer.close()

    assert max(source.polled) > 100, f"no poll above the budget to cut: {source.polled}"
    assert max(sizes.sizes) <= 100
    assert sum(sizes.sizes) == sum(source.polled) == 450
    with engine.connect() as connection:
        assert store_counts(connection)["events"] == len({e.event_id for e in events})
    assert store.stored_offsets(settings.consumer_group) == log_ends(deliveries)


def log_ends(deliveries: Sequence[Delivery]) -> dict[tuple[str, int], int]:
    ends: dict[tuple[str, int], int] = {}
    for d in deliveries:
        ends[(d.topic, d.partition)] = max(ends.get((d.topic, d.partition), 0), d.offset + 1)
    return ends


class SlowParts(BatchSizes):
    """Each part takes a while (a slow store), and after the first one a second member joins the group."""

    def __init__(self, join: threading.Thread) -> None:
        super().__init__()
        self.join = join

    def batch_materialized(self, **kwargs: object) -> None:  # type: ignore[override]
        super().batch_materialized(**kwargs)  # type: ignore[arg-type]
        if not self.join.is_alive() and len(self.sizes) == 1:
            self.join.start()
        time.sleep(0.1)


class RebalanceSeen(CountingSource):
    pending = 0

    def rebalance_pending(self) -> bool:
        pending = super().rebalance_pending()
        self.pending += pending
        return pending


def test_a_member_joining_while_parts_are_held_gets_them_and_every_event_lands_once(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    create_topics(settings)
    events = list(simulate_events(1200, seed=23))
    publisher = build_publisher(settings)
    deliveries = publisher.publish(events[:1]).deliveries
    engine, store = open_store(settings)

    def member(
        source: KafkaRecordSource, observer: BatchObserver, budget: BatchBudget, idle_s: float = 5
    ) -> None:
        materializer = build_materializer(settings, store, observer=observer)
        materializer.budget = budget
        materializer.source = source
        try:
            materializer.run(threading.Event(), idle_exit_s=idle_s)
        finally:
            materializer.close()

    learned = BatchBudget(0.001, backlog_share=0.0)  # parts of 100 (the floor) once it has a cost
    member(counting_source(settings, store), BatchSizes(), learned, 2)  # the first record teaches it
    deliveries += publisher.publish(events[1:]).deliveries
    publisher.close()
    second = threading.Thread(
        target=member, args=(counting_source(settings, store), BatchSizes(), BatchBudget(0.25))
    )
    first = counting_source(settings, store, RebalanceSeen)
    assert isinstance(first, RebalanceSeen)
    member(first, SlowParts(second), learned)
    second.join()

    assert first.pending >= 1, "the first member never saw the rebalance the second one's join began"
    with engine.connect() as connection:
        assert store_counts(connection)["events"] == len({e.event_id for e in events})
        folded = connection.execute(text("SELECT sum(event_count) FROM cases")).scalar_one()
        assert folded == len({e.event_id for e in events})  # no event folded twice
    assert store.stored_offsets(settings.consumer_group) == log_ends(deliveries)
