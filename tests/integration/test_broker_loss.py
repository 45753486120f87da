"""A broker that dies: failed Kafka commits are retried, the store's offsets reach Kafka on assignment,
and a publisher (library and `casehub simulate`) ends with "not confirmed" instead of a timeout trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition

from consumers.records import TopicPartitionOffset
from deploy.kafka_broker import KafkaBroker
from producers.demo_data import demo_events
from producers.publisher import Delivery
from producers.simulator import simulate_events
from services.bootstrap import agency_source, build_materializer, build_publisher, create_topics, open_store
from services.ops.kafka_offsets import KafkaClusterOffsets
from services.settings import Settings
from tests.e2e.test_cli import CASEHUB, casehub_env
from tests.integration.helpers import admin_options, isolated_settings, ops_options
from tests.secure_broker import session_broker_like, start_provisioned

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_broker(kafka_bootstrap: str) -> Iterator[KafkaBroker]:
    """A broker these tests may stop and restart (the session broker is shared; it is asked for only for
    its CA and admin, which this broker trusts too)."""
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-loss-kafka-"))
    broker = session_broker_like(data_dir, heap="512m")
    start_provisioned(broker)
    yield broker
    broker.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


def committed(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    cluster = KafkaClusterOffsets(bootstrap, timeout_s=10, security=ops_options())
    try:
        return cluster.committed_offsets([group]).get(group, {})
    finally:
        cluster.close()


def test_a_commit_that_failed_while_the_broker_was_down_is_retried(
    own_broker: KafkaBroker, sqlite_url: str
) -> None:
    settings = isolated_settings(own_broker.bootstrap, sqlite_url).model_copy(update={"connect_timeout_s": 3})
    create_topics(settings)
    _, store = open_store(settings)
    source = agency_source(settings, settings.consumer_group, store)
    try:
        wait_until(lambda: bool(source.poll(0.2)) or source.is_assigned(), 60, "an assignment")
        partition = sorted(source.consumer.assignment())[0]
        with store.transaction() as tx:  # the store holds 7, so a rebalance on restart commits 7 as well
            tx.save_offsets(
                settings.consumer_group, [TopicPartitionOffset(partition.topic, partition.partition, 7)]
            )
        own_broker.stop()
        source.commit({(partition.topic, partition.partition): 7})  # Kafka is gone
        assert source.uncommitted == {(partition.topic, partition.partition): 7}
        own_broker.start()
        key = (partition.topic, partition.partition)

        def landed() -> bool:
            """Kafka holds 7. (An empty queue alone is not proof: after the restart the group may first
            hand the partition to the consumer's former member, dropping its queued offset, and the store's 7
            is queued again only when the partition comes back. A full run under load once ended with the
            queue empty and no offset in Kafka; this cause is the likely one, not a proven one.)"""
            source.poll(0.2)
            return (
                not source.uncommitted
                and committed(own_broker.bootstrap, settings.consumer_group).get(key) == 7
            )

        wait_until(landed, 120, "the commit's retry to reach Kafka")
    finally:
        source.close()
    assert committed(own_broker.bootstrap, settings.consumer_group)[key] == 7


def test_a_commit_sent_just_before_close_reaches_kafka(kafka_bootstrap: str, sqlite_url: str) -> None:
    """Commits are sent without waiting for the answer; closing the source must not lose the last one."""
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    _, store = open_store(settings)
    source = agency_source(settings, settings.consumer_group, store)
    try:
        wait_until(lambda: bool(source.poll(0.2)) or source.is_assigned(), 60, "an assignment")
        partitions = sorted(source.consumer.assignment())
        source.commit({(tp.topic, tp.partition): 5 + n for n, tp in enumerate(partitions)})
    finally:
        source.close()
    assert committed(kafka_bootstrap, settings.consumer_group) == {
        (tp.topic, tp.partition): 5 + n for n, tp in enumerate(partitions)
    }


def test_the_store_offsets_reach_kafka_on_assignment_even_for_idle_partitions(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    events = demo_events(cases=4)
    publisher = build_publisher(settings)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    _, store = open_store(settings)
    materializer = build_materializer(settings, store)
    assert materializer.run(threading.Event(), idle_exit_s=3).events == len(events)
    materializer.close()
    stored = store.stored_offsets(settings.consumer_group)
    assert committed(kafka_bootstrap, settings.consumer_group) == stored

    # Kafka's copy falls behind, as after a commit lost to a broker restart: "lag 4, STOP" for ever.
    rewind = KafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=settings.consumer_group, **admin_options()
    )
    rewind.commit({TopicPartition(t, p): OffsetAndMetadata(0, "", -1) for (t, p) in stored})
    rewind.close()
    assert set(committed(kafka_bootstrap, settings.consumer_group).values()) == {0}

    source = agency_source(settings, settings.consumer_group, store)
    try:  # no new message arrives: the partitions stay idle
        wait_until(
            lambda: not source.poll(0.2) and committed(kafka_bootstrap, settings.consumer_group) == stored,
            60,
            "the store's offsets committed on assignment",
        )
    finally:
        source.close()


def test_the_publisher_reports_not_confirmed_when_the_broker_dies_mid_publish(
    own_broker: KafkaBroker,
) -> None:
    settings = isolated_settings(own_broker.bootstrap, "sqlite://").model_copy(
        update={"connect_timeout_s": 3}
    )
    create_topics(settings)
    events = list(simulate_events(30_000))
    publisher = build_publisher(settings)
    publisher.delivery_timeout_s = 300  # waiting it out would take minutes: only the probe ends early
    first = threading.Event()

    def stop_on_first(_delivery: Delivery) -> None:
        if not first.is_set():
            first.set()
            threading.Thread(target=own_broker.stop, daemon=True).start()

    started = time.monotonic()
    try:
        report = publisher.publish(events, on_delivery=stop_on_first)
    finally:
        publisher.close()
        wait_until(lambda: not own_broker.is_running(), 60, "the broker to stop")
        own_broker.start()
    seconds = time.monotonic() - started
    not_confirmed = [f for f in report.failed if f.event_id not in report.rejected_ids]
    print(f"broker killed mid-publish: {report.sent} confirmed, {len(not_confirmed)} not confirmed")
    print(f"publish returned {seconds:.1f}s after it began (delivery timeout 300s)")
    assert report.sent > 0 and not_confirmed
    assert report.sent + len(report.failed) == len(events)
    assert all(
        "stopped answering" in reason or "no answer for topic" in reason for _, reason in not_confirmed
    ), {reason for _, reason in not_confirmed}


@pytest.mark.slow  # ~35 s: a broker stop and start around a CLI run; the library test above runs always
def test_casehub_simulate_ends_with_not_confirmed_and_a_rerun_hint(
    own_broker: KafkaBroker, tmp_path: Path
) -> None:
    settings = isolated_settings(own_broker.bootstrap, f"sqlite:///{tmp_path / 'x.db'}").model_copy(
        update={"connect_timeout_s": 3}
    )
    create_topics(settings)
    env = {**casehub_env(settings, tmp_path), "CASEHUB_CONNECT_TIMEOUT_S": "3"}
    run = subprocess.Popen(
        [CASEHUB, "simulate", "--events", "200000"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: sum(committed_ends(own_broker.bootstrap, settings)) > 0, 120, "the first events")
        own_broker.stop()
        out, errors = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
        own_broker.start()
    assert run.returncode == 1, (out, errors)
    assert "Traceback" not in out + errors
    assert "not confirmed — re-run with the same --seed and --events" in errors
    assert "not sent" in out


def committed_ends(bootstrap: str, settings: Settings) -> list[int]:
    """Log-end offsets of the agency topics (what the simulator got in so far)."""
    cluster = KafkaClusterOffsets(bootstrap, timeout_s=5)
    try:
        partitions = cluster.topic_partitions()
        keys = [
            (t, p) for t, n in partitions.items() if t.startswith(settings.topic_prefix) for p in range(n)
        ]
        return [log.end for log in cluster.log_ranges(keys).values()]
    finally:
        cluster.close()
