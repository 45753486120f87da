"""Burrow's sliding-window lag evaluation as pure functions, so every rule is testable without Kafka.

Follows linkedin/Burrow (core/internal/evaluator/caching.go, storage/inmemory.go): a window of the last
`intervals` commits per partition, commits closer than `min_distance` overwrite the newest slot but keep
its timestamp, and five rules without thresholds. One addition, for Burrow issue #290: a window that
contains a zero-lag commit is not OK forever — a consumer that then stops is STOP once the oldest
unconsumed message has waited longer than a full window and the group has not committed anything since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class LagStatus(StrEnum):
    """Burrow's statuses, declared from best to worst (a group shows STOP/STALL/REWIND as ERR)."""

    OK = "OK"
    WARN = "WARN"
    ERR = "ERR"
    STOP = "STOP"
    STALL = "STALL"
    REWIND = "REWIND"

    @property
    def severity(self) -> int:
        return list(LagStatus).index(self)


@dataclass(frozen=True)
class OffsetCommit:
    """One commit of a group for a partition, as Kafka recorded it in __consumer_offsets."""

    offset: int
    committed_ms: int


@dataclass(frozen=True)
class WindowSlot:
    """A slot of the window: Burrow's timestamp for it, and the newest commit that landed in it."""

    offset: int
    at_ms: int
    committed_ms: int


@dataclass(frozen=True)
class CommitSample:
    """A window slot with the partition's lag at the time of its commit."""

    offset: int
    lag: int
    at_ms: int


def commit_window(commits: Iterable[OffsetCommit], intervals: int, min_distance_ms: int) -> list[WindowSlot]:
    """The last `intervals` slots; a commit within `min_distance_ms` of the newest slot overwrites it."""
    slots: list[WindowSlot] = []
    for commit in sorted(commits, key=lambda c: c.committed_ms):
        if slots and commit.committed_ms - slots[-1].at_ms < min_distance_ms:
            # Burrow keeps the stored timestamp, so frequent committers still advance the window.
            slots[-1] = WindowSlot(commit.offset, slots[-1].at_ms, commit.committed_ms)
        else:
            slots.append(WindowSlot(commit.offset, commit.committed_ms, commit.committed_ms))
    return slots[-intervals:] if intervals > 0 else []


def partition_status(
    window: Sequence[CommitSample],
    current_lag: int,
    now_ms: int,
    *,
    full_window_ms: int,
    oldest_unconsumed_ms: int | None = None,
    group_last_commit_ms: int | None = None,
) -> LagStatus:
    """Burrow's rules in Burrow's order; `full_window_ms` is how long a full window spans at least."""
    if current_lag <= 0:
        return LagStatus.OK
    if not window:
        return LagStatus.STOP  # lag, and not one commit in the whole look-back
    if not lag_always_nonzero(window):
        return _stopped_after_catching_up(
            window, now_ms, full_window_ms, oldest_unconsumed_ms, group_last_commit_ms
        )
    if offsets_rewind(window):
        return LagStatus.REWIND
    if commits_stopped(window, now_ms):
        return LagStatus.STOP
    if offsets_stalled(window):
        return LagStatus.STALL
    if lag_not_decreasing(window):
        return LagStatus.WARN
    return LagStatus.OK


def lag_always_nonzero(window: Sequence[CommitSample]) -> bool:
    """Rule 1: a zero lag anywhere in the window makes the period OK."""
    return all(sample.lag > 0 for sample in window)


def offsets_rewind(window: Sequence[CommitSample]) -> bool:
    """Rule 2: a committed offset went backwards (a reset, or a consumer replaying)."""
    return any(later.offset < earlier.offset for earlier, later in pairwise(window))


def commits_stopped(window: Sequence[CommitSample], now_ms: int) -> bool:
    """Rule 3: the time since the last commit exceeds the time the whole window spans."""
    return now_ms - window[-1].at_ms > window[-1].at_ms - window[0].at_ms


def offsets_stalled(window: Sequence[CommitSample]) -> bool:
    """Rule 4: committing, but always the same offset, while there is lag."""
    return all(sample.offset == window[0].offset for sample in window)


def lag_not_decreasing(window: Sequence[CommitSample]) -> bool:
    """Rule 5: offsets move but the lag never goes down: the consumer is slower than the producers."""
    return all(later.lag >= earlier.lag for earlier, later in pairwise(window))


def _stopped_after_catching_up(
    window: Sequence[CommitSample],
    now_ms: int,
    full_window_ms: int,
    oldest_unconsumed_ms: int | None,
    group_last_commit_ms: int | None,
) -> LagStatus:
    """Burrow #290: a caught-up consumer that dies is STOP once new messages wait longer than a window
    while the whole group is silent (a group busy on other partitions is draining, not stopped)."""
    if oldest_unconsumed_ms is None:
        return LagStatus.OK
    # A full window (intervals x min distance), not this window's span: a caught-up consumer commits only
    # when messages come, so its span measures idleness. Burrow's advice (min distance >= the commit
    # interval) keeps this longer than any healthy gap between commits.
    waited_ms = now_ms - oldest_unconsumed_ms
    silent_ms = now_ms - max(window[-1].at_ms, group_last_commit_ms or 0)
    return LagStatus.STOP if waited_ms > full_window_ms and silent_ms > full_window_ms else LagStatus.OK


def group_status(statuses: Iterable[LagStatus]) -> LagStatus:
    """The worst partition, with STOP, STALL and REWIND shown as ERR as Burrow does for groups."""
    worst = max(statuses, key=lambda status: status.severity, default=LagStatus.OK)
    return LagStatus.ERR if worst.severity > LagStatus.ERR.severity else worst


def worst_status(statuses: Iterable[LagStatus]) -> LagStatus:
    """The worst partition status itself (what the group's ERR stands for)."""
    return max(statuses, key=lambda status: status.severity, default=LagStatus.OK)
