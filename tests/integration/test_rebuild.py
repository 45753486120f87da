"""The store is a projection of the log: rebuilt from Kafka it equals the live store; new topics join live."""

from __future__ import annotations

import threading
import time

import pytest

from producers.demo_data import demo_events
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.rebuild import StoreNotEmpty, compare_stores, rebuild_store
from services.settings import AGENCY_CODES
from services.store.engine import make_engine
from services.store.queries import store_counts
from tests.integration.faults import poison_messages, publish_log_with_retries_and_poison
from tests.integration.helpers import isolated_settings

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
