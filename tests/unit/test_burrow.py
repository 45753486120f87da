"""Burrow's lag rules, one by one, in Burrow's order of precedence, plus the window and group rules."""

from __future__ import annotations

from services.ops.burrow import (
    CommitSample,
    LagStatus,
    OffsetCommit,
    WindowSlot,
    commit_window,
    group_status,
    partition_status,
    worst_status,
)

FULL_WINDOW_MS = 10_000


def window(*points: tuple[int, int], step_ms: int = 1000) -> list[CommitSample]:
    """Samples (offset, lag) one `step_ms` apart, starting at t=0."""
    return [CommitSample(offset=o, lag=lag, at_ms=i * step_ms) for i, (o, lag) in enumerate(points)]


def status(
    samples: list[CommitSample],
    current_lag: int,
    now_ms: int,
    oldest_ms: int | None = None,
    group_last_ms: int | None = None,
) -> LagStatus:
    return partition_status(
        samples,
        current_lag,
        now_ms,
        full_window_ms=FULL_WINDOW_MS,
        oldest_unconsumed_ms=oldest_ms,
        group_last_commit_ms=group_last_ms,
    )


# --- current lag zero


def test_zero_current_lag_is_ok_whatever_the_window_says() -> None:
    stalled_and_silent = window((5, 3), (5, 3), (5, 3))
    assert status(stalled_and_silent, current_lag=0, now_ms=1_000_000) == LagStatus.OK


# --- rule 1: a zero lag in the window makes the period OK


def test_a_zero_lag_commit_in_the_window_is_ok_even_if_offsets_stall() -> None:
    samples = window((5, 0), (5, 2), (5, 4))
    assert status(samples, current_lag=4, now_ms=2_500) == LagStatus.OK


# --- rule 2: REWIND


def test_an_offset_that_goes_backwards_is_rewind() -> None:
    samples = window((10, 5), (12, 3), (4, 11))
    assert status(samples, current_lag=11, now_ms=2_100) == LagStatus.REWIND


def test_rewind_wins_over_stop() -> None:
    samples = window((10, 5), (4, 11))
    assert status(samples, current_lag=20, now_ms=60_000) == LagStatus.REWIND


# --- rule 3: STOP


def test_no_commit_for_longer_than_the_window_spans_is_stop() -> None:
    samples = window((1, 9), (3, 8), (5, 7))  # spans 2 s
    assert status(samples, current_lag=7, now_ms=2_000 + 2_001) == LagStatus.STOP


def test_silence_shorter_than_the_window_span_is_not_stop() -> None:
    samples = window((1, 9), (3, 8), (5, 7))
    assert status(samples, current_lag=7, now_ms=2_000 + 1_999) == LagStatus.OK


def test_a_single_commit_with_lag_is_stop_as_soon_as_time_passes() -> None:
    assert status(window((3, 4)), current_lag=4, now_ms=1) == LagStatus.STOP


def test_lag_without_any_commit_in_the_look_back_is_stop() -> None:
    assert status([], current_lag=4, now_ms=1) == LagStatus.STOP


def test_no_commits_and_no_lag_is_ok() -> None:
    assert status([], current_lag=0, now_ms=1) == LagStatus.OK


def test_stop_wins_over_stall() -> None:
    samples = window((5, 3), (5, 3), (5, 3))
    assert status(samples, current_lag=3, now_ms=2_000 + 5_000) == LagStatus.STOP


# --- rule 4: STALL


def test_committing_the_same_offset_with_lag_is_stall() -> None:
    samples = window((5, 3), (5, 4), (5, 6))
    assert status(samples, current_lag=6, now_ms=2_000) == LagStatus.STALL


# --- rule 5: WARN


def test_moving_offsets_with_a_lag_that_never_decreases_is_warn() -> None:
    samples = window((10, 5), (12, 5), (15, 8))
    assert status(samples, current_lag=8, now_ms=2_000) == LagStatus.WARN


def test_moving_offsets_with_a_lag_that_decreases_somewhere_is_ok() -> None:
    samples = window((10, 5), (12, 9), (20, 4))
    assert status(samples, current_lag=4, now_ms=2_000) == LagStatus.OK


# --- Burrow issue #290: caught up, then stopped


def test_caught_up_then_silent_is_stop_once_new_messages_wait_longer_than_a_full_window() -> None:
    samples = window((5, 0))
    arrived = FULL_WINDOW_MS + 5_000
    now_ms = arrived + FULL_WINDOW_MS + 1
    assert status(samples, current_lag=3, now_ms=now_ms, oldest_ms=arrived) == LagStatus.STOP


def test_caught_up_but_waiting_while_the_group_commits_other_partitions_is_ok() -> None:
    samples = window((5, 0))  # a consumer draining its other partitions first (a backlog, in turn)
    arrived = FULL_WINDOW_MS + 5_000
    now_ms = arrived + 3 * FULL_WINDOW_MS
    busy = status(samples, current_lag=3, now_ms=now_ms, oldest_ms=arrived, group_last_ms=now_ms - 500)
    assert busy == LagStatus.OK
    idle_group = now_ms - FULL_WINDOW_MS - 1
    assert status(samples, 3, now_ms, oldest_ms=arrived, group_last_ms=idle_group) == LagStatus.STOP


def test_caught_up_with_a_fresh_message_is_still_ok() -> None:
    samples = window((5, 0))
    assert status(samples, current_lag=1, now_ms=60_000, oldest_ms=60_000 - 200) == LagStatus.OK


def test_caught_up_with_an_unreadable_oldest_message_falls_back_to_burrow_ok() -> None:
    assert status(window((5, 0)), current_lag=3, now_ms=600_000, oldest_ms=None) == LagStatus.OK


def test_caught_up_patience_is_a_full_window_however_long_the_window_spans() -> None:
    idle_window = window((1, 0), (2, 0), step_ms=600_000)  # commits only when traffic came, 10 min apart
    now_ms = 600_000 + 60_000
    waited = status(idle_window, current_lag=2, now_ms=now_ms, oldest_ms=now_ms - FULL_WINDOW_MS - 1)
    assert waited == LagStatus.STOP
    fresh = status(idle_window, current_lag=2, now_ms=now_ms, oldest_ms=now_ms - FULL_WINDOW_MS + 1)
    assert fresh == LagStatus.OK


# --- the window


def test_the_window_keeps_the_last_intervals_commits() -> None:
    commits = [OffsetCommit(offset=i, committed_ms=i * 1000) for i in range(15)]
    slots = commit_window(commits, intervals=10, min_distance_ms=1000)
    assert [s.offset for s in slots] == list(range(5, 15))


def test_commits_closer_than_min_distance_overwrite_the_slot_but_keep_its_timestamp() -> None:
    commits = [OffsetCommit(10, 0), OffsetCommit(11, 400), OffsetCommit(12, 800), OffsetCommit(13, 1200)]
    slots = commit_window(commits, intervals=10, min_distance_ms=1000)
    assert slots == [WindowSlot(offset=12, at_ms=0, committed_ms=800), WindowSlot(13, 1200, 1200)]


def test_frequent_committers_still_advance_the_window() -> None:
    commits = [OffsetCommit(i, i * 300) for i in range(10)]  # every 0.3 s for 2.7 s
    slots = commit_window(commits, intervals=10, min_distance_ms=1000)
    assert [s.at_ms for s in slots] == [0, 1200, 2400]


def test_the_window_is_ordered_by_commit_time() -> None:
    slots = commit_window([OffsetCommit(2, 2000), OffsetCommit(1, 0)], intervals=5, min_distance_ms=1)
    assert [s.offset for s in slots] == [1, 2]


# --- groups


def test_group_status_is_the_worst_partition() -> None:
    assert group_status([LagStatus.OK, LagStatus.WARN, LagStatus.OK]) == LagStatus.WARN


def test_group_status_shows_stop_stall_and_rewind_as_err() -> None:
    for bad in (LagStatus.STOP, LagStatus.STALL, LagStatus.REWIND):
        assert group_status([LagStatus.OK, bad]) == LagStatus.ERR
        assert worst_status([LagStatus.OK, bad, LagStatus.WARN]) == bad


def test_a_group_without_partitions_is_ok() -> None:
    assert group_status([]) == LagStatus.OK
