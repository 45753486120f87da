"""Materializer metrics, lag gauges and readiness, without Kafka: fixed reports and fixed clocks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from consumers.metrics import MaterializerMetrics
from consumers.records import DeadLetter, StoredEvent
from services.ops import health
from services.ops.burrow import LagStatus, OffsetCommit
from services.ops.cluster_offsets import LogRange, PartitionKey
from services.ops.lag import LagWindow, UnknownGroup
from services.ops.lag_metrics import LagCollector
from services.ops.lag_sampler import LagSampler
from tests.fake_cluster import FakeCluster

COMMITTED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TOPIC = "casehub.cases.customs"


def stored(event_id: str, recorded_seconds_ago: float) -> StoredEvent:
    at = COMMITTED_AT - timedelta(seconds=recorded_seconds_ago)
    return StoredEvent(
        event_id=event_id, case_id="VN-1", event_type="CaseOpened", agency="customs", reporting_unit="HQ",
        occurred_at=at, recorded_at=at, producer="test", schema_version=1, distribution={},
        embargo_until=None, payload={},
    )  # fmt: skip


def letter(error_class: str) -> DeadLetter:
    return DeadLetter("g", TOPIC, 0, 1, error_class, "bad", None, b"x", COMMITTED_AT)


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_materializer_metrics_count_records_events_dead_letters_and_latencies() -> None:
    registry = CollectorRegistry()
    metrics = MaterializerMetrics("g", registry, now=lambda: COMMITTED_AT)
    metrics.batch_materialized(
        records=5,
        events=[stored("a", 0.2), stored("b", 3.0), stored("c", 40.0), stored("clock-ahead", -3.0)],
        dead_letters=[letter("DecodeError"), letter("ContractViolation")],
        batch_seconds=0.12,
        store_seconds=0.03,
    )
    metrics.batch_materialized(
        records=1, events=[], dead_letters=[letter("DecodeError")], batch_seconds=0.01, store_seconds=0.0
    )
    metrics.store_unavailable(RuntimeError("db down"))
    assert value(registry, "casehub_consumer_records_total", group="g") == 6
    assert value(registry, "casehub_events_materialized_total", group="g") == 4
    assert value(registry, "casehub_dead_letters_total", group="g", reason="DecodeError") == 2
    assert value(registry, "casehub_dead_letters_total", group="g", reason="ContractViolation") == 1
    assert value(registry, "casehub_store_unavailable_total", group="g") == 1
    assert value(registry, "casehub_batch_records_count", group="g") == 2
    assert value(registry, "casehub_batch_records_sum", group="g") == 6
    assert value(registry, "casehub_batch_duration_seconds_sum", group="g") == pytest.approx(0.13)
    assert value(registry, "casehub_store_write_duration_seconds_count", group="g") == 2
    assert value(registry, "casehub_end_to_end_latency_seconds_count", group="g") == 4
    # an agency clock ahead of ours counts as no wait, not as a negative one
    assert value(registry, "casehub_end_to_end_latency_seconds_bucket", group="g", le="0.05") == 1
    assert value(registry, "casehub_end_to_end_latency_seconds_bucket", group="g", le="0.25") == 2
    assert value(registry, "casehub_end_to_end_latency_seconds_bucket", group="g", le="5.0") == 3
    assert value(registry, "casehub_end_to_end_latency_seconds_sum", group="g") == pytest.approx(43.2)


def stopped_cluster() -> FakeCluster:
    return FakeCluster(
        committed={"g": {(TOPIC, 0): 40, (TOPIC, 1): 10}},
        logs={(TOPIC, 0): LogRange(0, 100), (TOPIC, 1): LogRange(0, 10)},
        history={"g": {(TOPIC, 0): [OffsetCommit(40, 1_000)]}},
        arrivals={(TOPIC, 0): {40: 2_000}},
    )


def test_lag_gauges_expose_the_samplers_latest_report() -> None:
    sampler = LagSampler(stopped_cluster, LagWindow(intervals=3, min_distance_s=0.1), groups=["g"])
    registry = CollectorRegistry()
    registry.register(LagCollector(sampler))
    assert value(registry, "casehub_lag_sampler_up") == 0  # nothing sampled yet
    sampler.sample()
    p0 = {"group": "g", "topic": TOPIC, "partition": "0"}
    assert value(registry, "casehub_consumer_lag_messages", **p0) == 60
    assert value(registry, "casehub_consumer_committed_offset", **p0) == 40
    assert value(registry, "casehub_partition_log_end_offset", **p0) == 100
    assert value(registry, "casehub_consumer_lag_seconds", **p0) > 1_000_000  # message from 1970
    assert value(registry, "casehub_consumer_partition_status", **p0, status="STOP") == 1
    assert value(registry, "casehub_consumer_partition_status", **p0, status="OK") == 0
    p1 = {"group": "g", "topic": TOPIC, "partition": "1"}
    assert value(registry, "casehub_consumer_lag_seconds", **p1) == 0
    assert value(registry, "casehub_consumer_group_status", group="g", status="ERR") == 1
    assert value(registry, "casehub_lag_sampler_up") == 1


def test_a_failing_sample_keeps_the_last_report_and_marks_the_sampler_down() -> None:
    calls = iter([stopped_cluster(), None])

    def open_cluster() -> FakeCluster:
        cluster = next(calls)
        if cluster is None:
            raise UnknownGroup("broker gone")
        return cluster

    sampler = LagSampler(open_cluster, LagWindow(), groups=["g"])
    first = sampler.sample()
    sampler._drop_cluster()  # force a reconnect, which fails
    assert sampler.sample() is first
    assert isinstance(sampler.failure, UnknownGroup)


def test_a_sample_that_crashes_on_a_defect_is_one_failure_and_the_next_sample_starts_afresh() -> None:
    class Broken(FakeCluster):
        def log_ranges(self, partitions: Iterable[PartitionKey]) -> dict[PartitionKey, LogRange]:
            raise AttributeError("a defect of ours")

    opened: list[FakeCluster] = []

    def open_cluster() -> FakeCluster:
        cluster = Broken(**vars(stopped_cluster())) if not opened else stopped_cluster()
        opened.append(cluster)
        return cluster

    sampler = LagSampler(open_cluster, LagWindow(), groups=["g"])
    assert sampler.sample() is None  # no report, no exception out of the sampler's thread
    assert sampler.failure is not None and "a defect of ours" in str(sampler.failure)
    assert sampler.sample() is not None and sampler.failure is None  # a new cluster reader next time
    assert len(opened) == 2


def test_readiness_names_every_failing_check() -> None:
    def crash() -> str | None:
        raise ConnectionError("refused")

    state = health.evaluate(
        {"database": lambda: None, "broker": crash, "partitions": lambda: "none assigned"}
    )
    assert not state.ready
    assert state.checks == {
        "database": "ok",
        "broker": "ConnectionError: refused",
        "partitions": "none assigned",
    }
    assert state.reasons == ["broker: ConnectionError: refused", "partitions: none assigned"]


def test_a_consumer_is_not_ready_when_its_own_partitions_are_stopped() -> None:
    sampler = LagSampler(stopped_cluster, LagWindow(), groups=["g"])
    check = health.consumer_lag_check(sampler, lambda: {(TOPIC, 0), (TOPIC, 1)})
    assert check() == "lag not evaluated yet"
    sampler.sample()
    assert check() == f"{TOPIC}-0 {LagStatus.STOP.value}"
    others = health.consumer_lag_check(sampler, lambda: {(TOPIC, 1)})
    assert others() is None


def test_a_consumer_whose_group_has_not_committed_yet_is_not_stalled() -> None:
    sampler = LagSampler(stopped_cluster, LagWindow(), groups=["new-group"])
    sampler.sample()
    assert isinstance(sampler.failure, UnknownGroup)
    assert health.consumer_lag_check(sampler, lambda: {(TOPIC, 0)})() is None
    assert health.assignment_check(lambda: set())() == "no partitions assigned to this consumer"
