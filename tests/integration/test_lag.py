"""Consumer lag on a real broker: each Burrow status created on purpose with raw kafka-python consumers."""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer

from producers.demo_data import demo_events
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.kafka_admin import ensure_topics
from services.ops.burrow import LagStatus
from services.ops.consumer_monitor import ConsumerMonitor
from services.ops.kafka_offsets import KafkaClusterOffsets
from services.ops.lag import GroupLag, LagWindow, consumer_lag
from tests.integration.helpers import admin_options, isolated_settings, ops_options, send_raw
from tests.integration.lag_scenarios import COMMIT_GAP_S, commit_offsets, produce

pytestmark = pytest.mark.integration

# Small windows keep the suite fast; the rules are the same at any scale.
WINDOW = LagWindow(intervals=3, min_distance_s=0.05, lookback_s=300)


@pytest.fixture
def topic(kafka_bootstrap: str) -> str:
    name = f"lag-{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_bootstrap, [name], partitions=1, security=admin_options())
    return name


@pytest.fixture
def cluster(kafka_bootstrap: str) -> Iterator[KafkaClusterOffsets]:
    reader = KafkaClusterOffsets(kafka_bootstrap, timeout_s=10, security=ops_options())
    yield reader
    reader.close()


def lag_of(cluster: KafkaClusterOffsets, group: str, now: float | None = None) -> GroupLag:
    now_ms = None if now is None else int(now * 1000)
    return consumer_lag(cluster, WINDOW, [group], now_ms=now_ms).groups[0]


def test_a_caught_up_consumer_is_ok_with_zero_lag_and_shows_its_member(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        client_id="caught-up-client",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **admin_options(),
    )
    try:
        read = 0
        while read < 10:
            read += sum(len(records) for records in consumer.poll(timeout_ms=1000).values())
        consumer.commit()
        report = lag_of(cluster, group)
    finally:
        consumer.close()
    row = report.partitions[0]
    assert (row.committed_offset, row.log_end_offset, row.lag_messages, row.lag_seconds) == (10, 10, 0, 0.0)
    assert (row.status, report.status, report.state) == (LagStatus.OK, LagStatus.OK, "Stable")
    assert row.member is not None and row.member.startswith("caught-up-client@")
    assert row.catch_up_seconds == 0.0


def test_a_stopped_consumer_with_new_traffic_shows_growing_lag_and_stop(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [2, 4])  # behind at every commit
    time.sleep(2 * COMMIT_GAP_S)  # silent for longer than its window spans
    produce(kafka_bootstrap, topic, 5)
    first = lag_of(cluster, group)
    produce(kafka_bootstrap, topic, 5)
    second = lag_of(cluster, group, now=time.time() + 1)
    assert [g.partitions[0].lag_messages for g in (first, second)] == [11, 16]
    seconds = [g.partitions[0].lag_seconds for g in (first, second)]
    assert seconds[0] is not None and seconds[1] is not None
    assert 0 < seconds[0] < seconds[1]
    assert seconds[0] >= 3 * COMMIT_GAP_S  # message 4 predates the commits: not the new traffic's age
    statuses = [(g.partitions[0].status, g.status) for g in (first, second)]
    assert statuses == [(LagStatus.STOP, LagStatus.ERR)] * 2
    assert [c.offset for c in first.partitions[0].window] == [2, 4]
    assert first.partitions[0].catch_up_seconds is None


def test_a_consumer_that_caught_up_and_then_died_is_stop_once_new_messages_wait_a_full_window(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [10])
    produce(kafka_bootstrap, topic, 3)
    time.sleep(WINDOW.intervals * WINDOW.min_distance_s * 2)
    row = lag_of(cluster, group).partitions[0]
    assert (row.lag_messages, row.status) == (3, LagStatus.STOP)
    assert row.window[0].lag == 0  # Burrow alone would call this OK forever (its issue #290)
    assert row.lag_seconds is not None and row.lag_seconds > 0


def test_a_consumer_that_commits_without_advancing_is_stall(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    committed_at = commit_offsets(kafka_bootstrap, group, topic, [4, 4, 4])
    report = lag_of(cluster, group, now=committed_at)
    row = report.partitions[0]
    assert [(c.offset, c.lag) for c in row.window] == [(4, 6)] * 3
    assert (row.status, report.status, report.worst) == (LagStatus.STALL, LagStatus.ERR, LagStatus.STALL)


def test_a_reset_to_an_earlier_offset_is_rewind(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    committed_at = commit_offsets(kafka_bootstrap, group, topic, [6, 8, 3])
    row = lag_of(cluster, group, now=committed_at).partitions[0]
    assert [c.offset for c in row.window] == [6, 8, 3]
    assert (row.committed_offset, row.lag_messages, row.status) == (3, 7, LagStatus.REWIND)


def test_every_group_of_the_cluster_is_listed_without_naming_it(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    produce(kafka_bootstrap, topic, 3)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [1])
    everything = consumer_lag(cluster, WINDOW)
    mine = next(g for g in everything.groups if g.group == group)
    assert mine.lag_messages == 2


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_materializer_run_is_counted_in_its_metrics_endpoint(kafka_bootstrap: str, sqlite_url: str) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url).model_copy(
        update={"metrics_port": 0, "lag_sample_interval_s": 0.5, "lag_min_distance_s": 0.05}
    )
    create_topics(settings)
    events = demo_events(cases=6)
    publisher = build_publisher(settings)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    send_raw(kafka_bootstrap, settings.agency_topic("tax"), [b"not avro", b"\x00\x00\x00\x00\x63junk", b"?"])

    engine, store = open_store(settings)
    monitor = ConsumerMonitor(settings, engine)
    materializer = build_materializer(settings, store, observer=monitor.observer)
    server = monitor.start(materializer.source)
    assert server is not None
    try:
        stats = materializer.run(threading.Event(), idle_exit_s=3)
        monitor.sampler.sample()  # the group's lag after the run, without waiting for the timer
        status, text = get(f"{server.url}/metrics")
        ready_status, ready = get(f"{server.url}/readyz")
    finally:
        monitor.stop()
        materializer.source.close()
        materializer.dead_letter_sink.close()

    group = settings.consumer_group
    poison = 3
    assert (stats.events, stats.dead_letters) == (len(events), poison)
    assert status == 200
    assert f'casehub_consumer_records_total{{group="{group}"}} {len(events) + poison}.0' in text
    assert f'casehub_events_materialized_total{{group="{group}"}} {len(events)}.0' in text
    dead = [line for line in text.splitlines() if line.startswith("casehub_dead_letters_total{")]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in dead) == poison
    assert all('reason="' in line for line in dead)
    assert f'casehub_end_to_end_latency_seconds_count{{group="{group}"}} {len(events)}.0' in text
    assert f'casehub_batch_records_sum{{group="{group}"}} {len(events) + poison}.0' in text
    assert f'casehub_store_write_duration_seconds_count{{group="{group}"}}' in text
    lag_lines = [line for line in text.splitlines() if line.startswith("casehub_consumer_lag_messages{")]
    assert lag_lines and all(line.endswith(" 0.0") for line in lag_lines)
    assert f'casehub_consumer_group_status{{group="{group}",status="OK"}} 1.0' in text
    assert (ready_status, '"ready"' in ready) == (200, True)


def test_a_reader_kept_between_reports_reads_only_new_commits_and_answers_as_a_fresh_one(
    kafka_bootstrap: str, topic: str, cluster: KafkaClusterOffsets
) -> None:
    """The commit log's tail and the stamps found are kept between reports (each `casehub consume` member
    reports every 15 s): a later report reads only what was committed since, with the same answers a
    fresh reader gives."""
    produce(kafka_bootstrap, topic, 20)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [2, 4, 6])
    since_ms = int(time.time() * 1000) - 60_000
    first = cluster.commits_since([group], since_ms)
    read_first = cluster.commit_records_read
    commit_offsets(kafka_bootstrap, group, topic, [8, 9])
    second = cluster.commits_since([group], since_ms + 1)
    fresh = KafkaClusterOffsets(kafka_bootstrap, timeout_s=10, security=ops_options())
    try:
        assert second == fresh.commits_since([group], since_ms + 1)
        # the new commits only: the fresh reader read the first three again (and anything else committed
        # to the same commit-log partition meanwhile, which both count)
        assert cluster.commit_records_read - read_first <= fresh.commit_records_read - 3
        assert cluster.commit_records_read - read_first >= 2
        arrived = cluster.timestamps_at({(topic, 0): 4})
        later = cluster.timestamps_at({(topic, 0): 9})  # searched from offset 4's stamp on
        assert later == fresh.timestamps_at({(topic, 0): 9})
        assert arrived == fresh.timestamps_at({(topic, 0): 4})
    finally:
        fresh.close()
    assert [c.offset for c in first[group][(topic, 0)]] == [2, 4, 6]
    assert [c.offset for c in second[group][(topic, 0)]] == [2, 4, 6, 8, 9]
