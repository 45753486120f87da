"""Exactly once on a replicated, secured 3-broker cluster while brokers fail under load.

Each scenario publishes the fault dataset (valid events + one of each poison message) WHILE the
materializer consumes, and a broker fault lands mid-run: the leader of the busiest partition is
SIGKILLed; all three brokers are restarted one after the other; one broker stays down the whole
run. Topics have RF 3 and min.insync.replicas 2, producers acks=all + idempotence, so the expected
figures are 0 lost and 0 duplicated. `make test` runs CASEHUB_CLUSTER_FAULT_EVENTS (default 1,500)
events; the 20,000-event variants are marked slow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from kafka.structs import TopicPartition

from deploy.broker import KafkaCluster
from services.bootstrap import build_publisher, create_topics, open_store
from services.broker_access.provisioning import provision
from services.settings import AGENCY_CODES, Settings
from tests.integration.faults import FaultDataset, dead_letter_reasons, record_figures, stored_count
from tests.integration.helpers import admin_options, isolated_settings
from tests.integration.test_faults import ConsumerThread, assert_exactly_once, throttled, wait_until
from tests.secure_broker import session_cluster_like

pytestmark = pytest.mark.integration
SHORT = int(os.environ.get("CASEHUB_CLUSTER_FAULT_EVENTS", "1500"))
SIZES = [
    pytest.param(SHORT, id=f"{SHORT}-events"),
    pytest.param(20_000, id="20000-events", marks=pytest.mark.slow),
]


@pytest.fixture(scope="module")
def cluster(kafka_bootstrap: str) -> Iterator[KafkaCluster]:
    """Three secured brokers trusting the session's CA and admin, with the hub's users and ACLs."""
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-cluster-"))
    cluster = session_cluster_like(data_dir)
    cluster.start()
    try:
        provision(Settings(kafka_bootstrap=cluster.bootstrap))
        # Finding a group coordinator creates __consumer_offsets (RF 3) while all three brokers run.
        probe = KafkaConsumer(
            bootstrap_servers=cluster.bootstrap, group_id="casehub-probe", **admin_options()
        )
        probe.committed(TopicPartition("casehub-probe", 0))
        probe.close()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def all_up(cluster: KafkaCluster) -> None:
    """Restart whatever a scenario left down, so the next starts from three brokers."""
    for node in cluster.nodes:
        if not node.is_running():
            node.start()


def busiest_leader(settings: Settings) -> tuple[TopicPartition, int]:
    """The case-topic partition with the most records right now, and its leader's node id."""
    options = admin_options()
    topics = [settings.agency_topic(a) for a in AGENCY_CODES]
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **options)
    reader = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=None, **options)
    try:
        described = admin.describe_topics(topics)
        leaders = {
            TopicPartition(t["name"], p["partition_index"]): p["leader_id"]
            for t in described
            for p in t["partitions"]
        }
        ends = reader.end_offsets(list(leaders))
    finally:
        reader.close()
        admin.close()
    busiest = max(ends, key=lambda tp: ends[tp])
    return busiest, leaders[busiest]


def replication_of(settings: Settings) -> set[tuple[int, int]]:
    """(replicas, in-sync replicas) of every case-topic partition, as the cluster reports them."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **admin_options())
    try:
        described = admin.describe_topics([settings.agency_topic(a) for a in AGENCY_CODES])
    finally:
        admin.close()
    return {(len(p["replica_nodes"]), len(p["isr_nodes"])) for t in described for p in t["partitions"]}


def run_under_fault(
    cluster: KafkaCluster,
    postgres_url: str,
    size: int,
    scenario: str,
    fault: Callable[[Settings], dict[str, object]],
    before: Callable[[], None] = lambda: None,
) -> None:
    """Publish and materialize together; `fault` runs once the first events are stored. `before` runs
    once the topics exist (RF 3 needs three brokers at creation)."""
    settings = throttled(isolated_settings(cluster.bootstrap, postgres_url))
    settings = settings.model_copy(update={"connect_timeout_s": 20.0})
    create_topics(settings)
    before()
    dataset = FaultDataset(size)
    engine, store = open_store(settings)
    consumer = ConsumerThread(settings, store)
    publisher = build_publisher(settings)
    outcome: dict[str, object] = {}

    def publish() -> None:
        try:
            outcome["sent"] = dataset.publish_rest(settings, publisher, start=0)
        except AssertionError as exc:  # publish_rest asserts nothing failed
            outcome["error"] = exc

    sender = threading.Thread(target=publish, daemon=True)
    sender.start()
    try:
        wait_until(lambda: stored_count(engine) > 0, 120, "the first events stored")
        extra = fault(settings)
        sender.join(timeout=300)
        assert not sender.is_alive(), "publishing did not finish"
        assert "error" not in outcome, f"events not confirmed by the cluster: {outcome.get('error')}"
        wait_until(lambda: stored_count(engine) >= len(dataset.events), 300, "every event stored")
        wait_until(  # the poison messages go last; after a fault the group may still be settling
            lambda: len(dead_letter_reasons(engine)) >= len(dataset.poison), 120, "every poison message kept"
        )
        time.sleep(2)  # let the last commits land
    finally:
        consumer.stop()
        publisher.close()
    assert_exactly_once(dataset, engine, settings)
    record_figures(scenario, int(outcome["sent"]), dataset, engine, brokers=3, **extra)  # type: ignore[call-overload]


def test_topics_are_replicated_three_times(cluster: KafkaCluster, postgres_url: str) -> None:
    settings = isolated_settings(cluster.bootstrap, postgres_url)
    create_topics(settings)
    assert replication_of(settings) == {(3, 3)}


@pytest.mark.parametrize("size", SIZES)
def test_leader_of_the_busiest_partition_sigkilled(
    cluster: KafkaCluster, postgres_url: str, size: int
) -> None:
    def kill_leader(settings: Settings) -> dict[str, object]:
        partition, leader = busiest_leader(settings)
        assert cluster.node(leader).kill()
        return {"killed": f"node {leader} (leader of {partition.topic.split('.')[-1]}-{partition.partition})"}

    try:
        run_under_fault(cluster, postgres_url, size, "C1 leader SIGKILLed", kill_leader)
    finally:
        all_up(cluster)


@pytest.mark.parametrize("size", SIZES)
def test_rolling_restart_of_all_three_brokers(cluster: KafkaCluster, postgres_url: str, size: int) -> None:
    def roll(_settings: Settings) -> dict[str, object]:
        for node in cluster.nodes:
            node.stop()
            node.start()
        return {"restarted": "nodes 1,2,3"}

    try:
        run_under_fault(cluster, postgres_url, size, "C2 rolling restart", roll)
    finally:
        all_up(cluster)


@pytest.mark.parametrize("size", SIZES)
def test_one_broker_down_for_the_whole_run(cluster: KafkaCluster, postgres_url: str, size: int) -> None:
    def stop_node_3() -> None:
        assert cluster.node(3).stop()

    try:
        run_under_fault(
            cluster, postgres_url, size, "C3 one broker down", lambda _s: {"down": "node 3"}, stop_node_3
        )
    finally:
        all_up(cluster)
