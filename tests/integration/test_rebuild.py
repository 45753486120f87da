"""The store is a projection of the log: rebuilt from Kafka it equals the live store; new topics join live."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine

from consumers.backoff import Backoff
from consumers.log_replay import LogReplaySource
from consumers.materializer import MaterializerStats
from consumers.observer import BatchObserver
from consumers.ports.case_store import StoreTransaction
from producers.demo_data import demo_events
from services.bootstrap import build_materializer, build_publisher, build_replay, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.rebuild import StoreNotEmpty, compare_stores, rebuild_engine, rebuild_store
from services.settings import AGENCY_CODES
from services.store.engine import make_engine
from services.store.queries import store_counts
from services.store.sql_store import SqlCaseStore
from tests.databases import upgraded
from tests.integration.faults import poison_messages, publish_log_with_retries_and_poison
from tests.integration.helpers import isolated_settings
from tests.store_outages import StoreOutages

pytestmark = pytest.mark.integration


def test_a_rebuild_from_the_log_equals_the_live_store(
    kafka_bootstrap: str, database_url: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    events, total_records = publish_log_with_retries_and_poison(settings, cases=60)
    live, store = open_store(settings)
    materializer = build_materializer(settings, store)
    materializer.run(threading.Event(), idle_exit_s=3)
    materializer.source.close()
    materializer.dead_letter_sink.close()

    target = sqlite_url.replace("casehub.db", "rebuilt.db")
    seen: list[tuple[int, int]] = []
    report = rebuild_store(settings, target, progress=lambda done, total: seen.append((done, total)))

    assert (report.records, report.dead_letters) == (total_records, len(poison_messages()))
    assert seen[-1] == (total_records, total_records)
    comparisons = compare_stores(live, make_engine(target))
    assert all(c.equal for c in comparisons), comparisons
    assert {c.table: c.live.rows for c in comparisons}["case_events"] == len(events)
    rebuilt_offsets = open_store(settings.model_copy(update={"database_url": target}))[1].stored_offsets(
        settings.consumer_group
    )
    assert rebuilt_offsets == store.stored_offsets(settings.consumer_group)
    with pytest.raises(StoreNotEmpty):
        rebuild_store(settings, target)


def test_a_new_agency_topic_is_picked_up_without_a_restart(kafka_bootstrap: str, sqlite_url: str) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url).model_copy(update={"max_poll_records": 100})
    create_topics(settings, agencies=AGENCY_CODES[:-1])
    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    stop = threading.Event()
    thread = threading.Thread(target=materializer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        late = AGENCY_CODES[-1]
        create_topics(settings, agencies=(late,))
        newcomer = [e for e in demo_events(cases=40) if e.agency == late]
        publisher = build_publisher(settings)
        publisher.publish(newcomer)
        publisher.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if store_counts(connection)["events"] >= len(newcomer):
                    break
            time.sleep(0.2)
        with engine.connect() as connection:
            assert store_counts(connection)["events"] == len(newcomer)
    finally:
        stop.set()
        thread.join(timeout=30)
        materializer.source.close()
        materializer.dead_letter_sink.close()


class FailsFirstTransactions(StoreOutages, SqlCaseStore):
    """The real store, whose first transactions fail as a PostgreSQL deadlock between two replay
    processes did in a bench run (classified StoreUnavailable: the batch is retried)."""

    outage_reason = "deadlock detected (injected)"

    def __init__(self, engine: Engine, failures: int) -> None:
        super().__init__(engine)
        self.fail_next_transactions = failures

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        self._outage()
        with super().transaction() as tx:
            yield tx


def test_a_replay_whose_store_fails_a_batch_retries_it_and_completes(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    """A batch retried after a store error waits with every partition paused; the replay's poll used to
    loop for ever there (records never came while paused), so the rebuild hung after its first deadlock."""
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    events, total_records = publish_log_with_retries_and_poison(settings, cases=10)
    target = sqlite_url.replace("casehub.db", "replayed.db")
    engine = rebuild_engine(target)
    upgraded(target)
    replay = build_replay(settings, engine, None, lambda _source: BatchObserver())
    replay.store = FailsFirstTransactions(engine, failures=2)
    replay.source = LogReplaySource(  # small polls: partitions are still open when the batch fails
        bootstrap=settings.kafka_bootstrap,
        topic_pattern=settings.agency_topic_pattern,
        security=client_options(settings, Role.MATERIALIZER),
        max_poll_records=3,
    )
    replay.backoff = Backoff(initial_s=0.05, maximum_s=0.1)
    stop = threading.Event()
    outcome: list[MaterializerStats] = []
    runner = threading.Thread(target=lambda: outcome.append(replay.run(stop, idle_exit_s=0)), daemon=True)
    runner.start()
    runner.join(120)
    stop.set()
    replay.source.close()
    assert not runner.is_alive(), "the replay hung after the store failed a batch"
    assert outcome[0].records == total_records
    with engine.connect() as connection:
        assert store_counts(connection)["events"] == len(events)
