"""consumer_lag over a fake cluster: what each column means, computed at request time."""

from __future__ import annotations

import pytest

from services.ops.burrow import LagStatus, OffsetCommit
from services.ops.catch_up import recent_progress, seconds_to_catch_up
from services.ops.cluster_offsets import GroupMembers, LogRange, PartitionKey, PartitionOwner
from services.ops.durations import human_duration
from services.ops.lag import LagWindow, UnknownGroup, consumer_lag
from tests.fake_cluster import FakeCluster

TOPIC = "casehub.cases.qltt"
P0: PartitionKey = (TOPIC, 0)
WINDOW = LagWindow(intervals=5, min_distance_s=1.0, lookback_s=600)


def stopped_consumer() -> FakeCluster:
    """Committed 40 at t=10 s (lag 0 then); messages 40..99 arrived from t=20 s on."""
    return FakeCluster(
        committed={"g": {P0: 40}},
        logs={P0: LogRange(0, 100)},
        history={"g": {P0: [OffsetCommit(30, 9_000), OffsetCommit(40, 10_000)]}},
        ends_then={P0: {9_000: 40, 10_000: 40}},
        arrivals={P0: {40: 20_000}},
    )


def test_lag_in_messages_is_log_end_minus_committed() -> None:
    row = consumer_lag(stopped_consumer(), WINDOW, now_ms=50_000).groups[0].partitions[0]
    assert (row.committed_offset, row.log_end_offset, row.lag_messages) == (40, 100, 60)


def test_lag_in_seconds_is_the_age_of_the_oldest_unconsumed_message_and_grows_while_stopped() -> None:
    cluster = stopped_consumer()
    first = consumer_lag(cluster, WINDOW, now_ms=50_000).groups[0].partitions[0]
    later = consumer_lag(cluster, WINDOW, now_ms=80_000).groups[0].partitions[0]
    assert (first.lag_seconds, later.lag_seconds) == (30.0, 60.0)
    assert cluster.asked_timestamps[0] == {P0: 40}


def test_a_stopped_consumer_that_had_caught_up_is_stop_and_has_no_catch_up_estimate() -> None:
    group = consumer_lag(stopped_consumer(), WINDOW, now_ms=50_000).groups[0]
    statuses = (group.partitions[0].status, group.status, group.worst)
    assert statuses == (LagStatus.STOP, LagStatus.ERR, LagStatus.STOP)
    assert group.partitions[0].catch_up_seconds is None


def test_the_window_lags_are_taken_against_the_log_end_at_each_commit() -> None:
    row = consumer_lag(stopped_consumer(), WINDOW, now_ms=50_000).groups[0].partitions[0]
    assert [(c.offset, c.lag) for c in row.window] == [(30, 10), (40, 0)]


def test_a_commit_with_nothing_produced_since_is_measured_against_the_current_log_end() -> None:
    cluster = FakeCluster(
        committed={"g": {P0: 100}},
        logs={P0: LogRange(0, 100)},
        history={"g": {P0: [OffsetCommit(100, 10_000)]}},
    )
    row = consumer_lag(cluster, WINDOW, now_ms=50_000).groups[0].partitions[0]
    assert (row.window[0].lag, row.lag_messages, row.lag_seconds, row.status) == (0, 0, 0.0, LagStatus.OK)
    assert cluster.asked_timestamps == [{}]  # nothing unconsumed: no record fetched


def test_a_committed_offset_deleted_by_retention_is_err() -> None:
    cluster = FakeCluster(committed={"g": {P0: 5}}, logs={P0: LogRange(50, 100)})
    row = consumer_lag(cluster, WINDOW, now_ms=1_000).groups[0].partitions[0]
    assert (row.status, row.lag_messages) == (LagStatus.ERR, 95)


def test_the_current_member_is_shown() -> None:
    owner = PartitionOwner("casehub-materializer", "10.0.0.7", "m-1")
    cluster = stopped_consumer()
    cluster.owners = {"g": GroupMembers("Stable", {P0: owner})}
    group = consumer_lag(cluster, WINDOW, now_ms=50_000).groups[0]
    assert (group.state, group.partitions[0].member) == ("Stable", "casehub-materializer@10.0.0.7")


def test_catch_up_uses_the_recent_drain_rate_per_partition_and_for_the_group() -> None:
    p1: PartitionKey = (TOPIC, 1)
    cluster = FakeCluster(
        committed={"g": {P0: 600, p1: 10}},
        logs={P0: LogRange(0, 1000), p1: LogRange(0, 500)},
        # P0: caught up long ago, backlog since; drained 400 in the last 4 s. P1: waiting its turn.
        history={"g": {P0: [OffsetCommit(0, 1_000), OffsetCommit(200, 96_000), OffsetCommit(600, 100_000)]}},
        ends_then={P0: {95_000: 1000, 96_000: 1000, 100_000: 1000}, p1: {95_000: 500}},
        arrivals={P0: {600: 50_000}, p1: {10: 50_000}},
    )
    group = consumer_lag(cluster, WINDOW, now_ms=100_000).groups[0]  # recent span: 5 s
    rows = {row.partition: row for row in group.partitions}
    assert rows[0].consume_rate == pytest.approx(600 / 5)  # from offset 0 (last commit before 95 s)
    assert rows[0].catch_up_seconds == pytest.approx(400 / 120)
    assert (rows[1].consume_rate, rows[1].catch_up_seconds, rows[1].status) == (0.0, None, LagStatus.STOP)
    assert group.consume_rate == pytest.approx(120)
    assert group.catch_up_seconds is None  # a stopped partition: no honest group estimate


def test_a_busy_group_gets_a_group_catch_up_even_for_partitions_waiting_their_turn() -> None:
    p1: PartitionKey = (TOPIC, 1)
    cluster = FakeCluster(
        committed={"g": {P0: 600, p1: 10}},
        logs={P0: LogRange(0, 1000), p1: LogRange(0, 500)},
        history={
            "g": {P0: [OffsetCommit(0, 1_000), OffsetCommit(600, 99_000)], p1: [OffsetCommit(10, 1_000)]}
        },
        ends_then={P0: {1_000: 0, 99_000: 1000}, p1: {1_000: 10}},
        arrivals={P0: {600: 50_000}, p1: {10: 50_000}},
    )
    group = consumer_lag(cluster, WINDOW, now_ms=100_000).groups[0]
    assert [row.status for row in group.partitions] == [LagStatus.OK, LagStatus.OK]  # p1 waits, group busy
    assert group.partitions[1].catch_up_seconds is None
    assert group.catch_up_seconds == pytest.approx((400 + 490) / (600 / 5))


def test_a_partition_of_a_deleted_topic_is_left_out() -> None:
    cluster = FakeCluster(committed={"g": {P0: 5, ("gone", 0): 3}}, logs={P0: LogRange(0, 5)})
    rows = consumer_lag(cluster, WINDOW, now_ms=1_000).groups[0].partitions
    assert [(r.topic, r.partition) for r in rows] == [P0]


def test_every_group_is_reported_unless_one_is_asked_for() -> None:
    cluster = stopped_consumer()
    cluster.committed["other"] = {P0: 100}
    assert [g.group for g in consumer_lag(cluster, WINDOW, now_ms=50_000).groups] == ["g", "other"]
    assert [g.group for g in consumer_lag(cluster, WINDOW, ["other"], now_ms=50_000).groups] == ["other"]


def test_asking_for_a_group_without_commits_is_an_error() -> None:
    with pytest.raises(UnknownGroup, match="nosuch"):
        consumer_lag(stopped_consumer(), WINDOW, ["nosuch"], now_ms=1)


def test_recent_progress_starts_from_the_last_commit_before_the_span() -> None:
    commits = [OffsetCommit(10, 0), OffsetCommit(50, 8_000), OffsetCommit(90, 12_000)]
    progress = recent_progress(
        commits, committed=90, log_end=200, log_end_then=150, since_ms=10_000, now_ms=15_000
    )
    assert (progress.consumed, progress.produced, progress.span_s) == (40, 50, 5.0)
    assert seconds_to_catch_up(110, [progress]) is None  # producers outpace the consumer
    assert seconds_to_catch_up(0, [progress]) == 0.0


def test_recent_progress_of_a_first_commit_inside_the_span_counts_from_it() -> None:
    progress = recent_progress([OffsetCommit(10, 12_000)], 30, 40, 40, since_ms=10_000, now_ms=14_000)
    assert (progress.consumed, progress.span_s) == (20, 2.0)
    assert seconds_to_catch_up(10, [progress]) == pytest.approx(1.0)


def test_durations_read_like_a_dashboard() -> None:
    cases = [(None, "—"), (0, "0s"), (0.25, "250ms"), (12.34, "12.3s"), (192, "3m12s"), (7500, "2h05m")]
    assert [human_duration(s) for s, _ in cases] == [text for _, text in cases]
    assert human_duration(3 * 86400 + 4 * 3600) == "3d04h"


P1: PartitionKey = (TOPIC, 1)
OWNER = PartitionOwner("casehub-materializer", "10.0.0.7", "m-1")


def test_partitions_a_group_never_committed_count_from_the_log_start() -> None:
    """The group committed partition 0 only; partition 1 of the same topic holds 30 unread messages."""
    cluster = FakeCluster(
        committed={"g": {P0: 10}},
        logs={P0: LogRange(0, 10), P1: LogRange(5, 35)},
        history={"g": {P0: [OffsetCommit(10, 40_000)]}},
        arrivals={P1: {5: 1_000}},
    )
    group = consumer_lag(cluster, WINDOW, now_ms=50_000).groups[0]
    row = group.partitions[1]
    assert (row.committed_offset, row.lag_messages, row.lag_seconds) == (None, 30, 49.0)
    assert row.status == LagStatus.STOP and row.member is None  # nobody owns it
    assert group.lag_messages == 30 and group.status == LagStatus.ERR


def test_a_hub_group_that_never_committed_is_shown_with_every_partition_of_its_topics() -> None:
    cluster = FakeCluster(
        committed={},
        logs={P0: LogRange(0, 20), P1: LogRange(0, 0), ("other.topic", 0): LogRange(0, 9)},
        arrivals={P0: {0: 10_000}},
    )
    report = consumer_lag(cluster, WINDOW, now_ms=50_000, expected={"hub": r"^casehub\.cases\.[a-z]+$"})
    [group] = report.groups
    assert group.group == "hub" and group.lag_messages == 20
    assert [(r.partition, r.status) for r in group.partitions] == [(0, LagStatus.STOP), (1, LagStatus.OK)]
    with pytest.raises(UnknownGroup):  # nothing committed, nothing owned, no topic of its pattern
        consumer_lag(cluster, WINDOW, ["hub"], now_ms=1, expected={"hub": r"^nothing$"})


@pytest.mark.parametrize(
    ("last_commit_ms", "arrived_ms", "status"),
    [
        (None, 45_000, LagStatus.WARN),  # starting: the oldest message is younger than a full window
        (None, 1_000, LagStatus.STOP),  # stuck on its first batch: silent, and messages wait a window
        (48_000, 1_000, LagStatus.WARN),  # busy on its other partitions: committed within the window
    ],
)
def test_an_owned_never_committed_partition_is_stop_only_when_its_group_is_silent(
    last_commit_ms: int | None, arrived_ms: int, status: LagStatus
) -> None:
    cluster = FakeCluster(
        committed={"g": {P0: 10}} if last_commit_ms else {},
        logs={P0: LogRange(0, 10), P1: LogRange(0, 4)},
        history={"g": {P0: [OffsetCommit(10, last_commit_ms)]}} if last_commit_ms else {},
        arrivals={P1: {0: arrived_ms}},
        owners={"g": GroupMembers("Stable", {P0: OWNER, P1: OWNER})},
    )
    group = consumer_lag(cluster, WINDOW, now_ms=50_000, expected={"g": r"^casehub\.cases\.qltt$"}).groups[0]
    row = next(r for r in group.partitions if r.partition == 1)
    assert (row.committed_offset, row.status, row.member) == (None, status, str(OWNER))


def test_a_frequent_committer_costs_a_report_one_log_end_per_window_slot_not_per_commit() -> None:
    """The log's end is read at the window's slots and the recent pace's start: a member committing every
    100 ms for 10 minutes (6,000 commits in the look-back) costs ≤ intervals + 1 times, not 6,000 (each
    time was a ListOffsets round trip to the broker)."""
    commits = [OffsetCommit(offset=10 * i, committed_ms=1_000 + 100 * i) for i in range(6_000)]
    now_ms = commits[-1].committed_ms + 50
    cluster = FakeCluster(
        committed={"g": {P0: commits[-1].offset}},
        logs={P0: LogRange(0, commits[-1].offset + 7)},
        history={"g": {P0: commits}},
        ends_then={P0: {c.committed_ms: c.offset + 7 for c in commits}},  # 7 behind at every commit
    )
    row = consumer_lag(cluster, WINDOW, now_ms=now_ms).groups[0].partitions[0]
    [asked] = cluster.asked_ends
    assert len(asked[P0]) <= WINDOW.intervals + 1
    assert len(row.window) == WINDOW.intervals
    assert [slot.lag for slot in row.window] == [7] * WINDOW.intervals  # each slot read at its own time
    assert row.lag_messages == 7


@pytest.mark.parametrize("group", ["g" * 32_768, "ộ" * 11_000, "x" * 1_000_000])
def test_a_group_id_longer_than_kafka_carries_is_unknown_without_asking_the_broker(group: str) -> None:
    cluster = stopped_consumer()
    cluster.committed = {}  # any question reaching the cluster would find nothing and say so differently
    with pytest.raises(UnknownGroup, match="Kafka's limit"):
        consumer_lag(cluster, WINDOW, [group], now_ms=50_000)
    assert cluster.asked_ends == [] and cluster.asked_timestamps == []
