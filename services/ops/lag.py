"""Consumer lag per group and partition, computed when asked, for any group on the cluster.

Messages behind = log-end offset − committed offset. Time behind = now − timestamp of the record at the
committed offset (the oldest one the group has not consumed), so a stopped consumer's lag keeps growing.
The status window is the group's real commit history from Kafka's commit log, so a one-shot call is as
well informed as a long-running monitor; see services.ops.burrow for the rules.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel

from schemas.errors import CasehubError
from services.ops.burrow import (
    CommitSample,
    LagStatus,
    WindowSlot,
    commit_window,
    group_status,
    partition_status,
    worst_status,
)
from services.ops.catch_up import CatchUp, estimate_catch_up
from services.ops.cluster_offsets import ClusterOffsets, GroupMembers, LogRange, PartitionKey


@dataclass(frozen=True)
class LagWindow:
    """Burrow's window: `intervals` commits at least `min_distance_s` apart, read back `lookback_s`."""

    intervals: int = 10
    min_distance_s: float = 1.0
    lookback_s: float = 900.0

    @property
    def full_span_ms(self) -> int:
        return int(self.intervals * self.min_distance_s * 1000)


class WindowCommit(BaseModel):
    offset: int
    lag: int
    at: datetime


class PartitionLag(BaseModel):
    topic: str
    partition: int
    committed_offset: int
    log_start_offset: int
    log_end_offset: int
    lag_messages: int
    lag_seconds: float | None
    oldest_unconsumed_at: datetime | None
    member: str | None
    status: LagStatus
    consume_rate: float | None
    catch_up_seconds: float | None
    window: list[WindowCommit]


class GroupLag(BaseModel):
    group: str
    state: str
    status: LagStatus
    worst: LagStatus
    lag_messages: int
    lag_seconds: float | None
    catch_up_seconds: float | None
    partitions: list[PartitionLag]


class LagReport(BaseModel):
    generated_at: datetime
    window_intervals: int
    window_min_distance_s: float
    groups: list[GroupLag]


class UnknownGroup(CasehubError):
    """The group has no committed offsets on this cluster."""


def consumer_lag(
    cluster: ClusterOffsets,
    window: LagWindow,
    groups: Sequence[str] | None = None,
    now_ms: int | None = None,
) -> LagReport:
    """Lag of the given groups (default: every group with committed offsets) as of `now_ms`."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    names = list(groups) if groups else cluster.groups()
    committed = {g: offsets for g, offsets in cluster.committed_offsets(names).items() if offsets}
    for missing in sorted(set(groups or ()) - set(committed)):
        raise UnknownGroup(f"consumer group {missing!r} has no committed offsets on this cluster")
    partitions = {key for offsets in committed.values() for key in offsets}
    logs = cluster.log_ranges(partitions)
    members = cluster.members(sorted(committed))
    history = cluster.commits_since(sorted(committed), now_ms - int(window.lookback_s * 1000))
    slots = {
        (group, key): commit_window(history.get(group, {}).get(key, ()), window.intervals, _ms(window))
        for group, offsets in committed.items()
        for key in offsets
        if key in logs
    }
    ends_then = cluster.log_ends_at(_slot_times(slots))
    unread = {
        key: offset
        for offsets in committed.values()
        for key, offset in offsets.items()
        if key in logs and logs[key].start <= offset < logs[key].end
    }
    arrived = cluster.timestamps_at(unread)
    report = [
        _group_lag(group, offsets, logs, members.get(group), slots, ends_then, arrived, window, now_ms)
        for group, offsets in sorted(committed.items())
    ]
    return LagReport(
        generated_at=_datetime(now_ms),
        window_intervals=window.intervals,
        window_min_distance_s=window.min_distance_s,
        groups=report,
    )


def _group_lag(
    group: str,
    offsets: Mapping[PartitionKey, int],
    logs: Mapping[PartitionKey, LogRange],
    members: GroupMembers | None,
    slots: Mapping[tuple[str, PartitionKey], Sequence[WindowSlot]],
    ends_then: Mapping[PartitionKey, Mapping[int, int]],
    arrived: Mapping[PartitionKey, int],
    window: LagWindow,
    now_ms: int,
) -> GroupLag:
    rows = []
    for key, committed in sorted(offsets.items()):
        if key not in logs:
            continue  # the topic or partition was deleted
        samples = _samples(slots[(group, key)], logs[key], ends_then.get(key, {}))
        rows.append(
            _partition_lag(key, committed, logs[key], samples, arrived.get(key), members, window, now_ms)
        )
    times = [row.lag_seconds for row in rows if row.lag_seconds is not None]
    catch_up = [row.catch_up_seconds for row in rows]
    behind = [row for row in rows if row.lag_messages > 0]
    return GroupLag(
        group=group,
        state=members.state if members else "Unknown",
        status=group_status(row.status for row in rows),
        worst=worst_status(row.status for row in rows),
        lag_messages=sum(row.lag_messages for row in rows),
        lag_seconds=max(times, default=0.0),
        catch_up_seconds=None
        if any(row.catch_up_seconds is None for row in behind)
        else max((c for c in catch_up if c is not None), default=0.0),
        partitions=rows,
    )


def _partition_lag(
    key: PartitionKey,
    committed: int,
    log: LogRange,
    samples: Sequence[CommitSample],
    arrived_ms: int | None,
    members: GroupMembers | None,
    window: LagWindow,
    now_ms: int,
) -> PartitionLag:
    lag = max(log.end - committed, 0)
    if committed < log.start:
        status = LagStatus.ERR  # retention deleted messages the group never read
    else:
        status = partition_status(
            samples, lag, now_ms, full_window_ms=window.full_span_ms, oldest_unconsumed_ms=arrived_ms
        )
    pace = estimate_catch_up(samples, lag)
    if status not in (LagStatus.OK, LagStatus.WARN):
        pace = CatchUp(consume_rate=pace.consume_rate, seconds=None)  # not consuming: no honest estimate
    owner = members.owners.get(key) if members else None
    return PartitionLag(
        topic=key[0],
        partition=key[1],
        committed_offset=committed,
        log_start_offset=log.start,
        log_end_offset=log.end,
        lag_messages=lag,
        lag_seconds=_seconds_behind(lag, arrived_ms, now_ms),
        oldest_unconsumed_at=_datetime(arrived_ms) if lag and arrived_ms is not None else None,
        member=str(owner) if owner else None,
        status=status,
        consume_rate=pace.consume_rate,
        catch_up_seconds=pace.seconds,
        window=[WindowCommit(offset=s.offset, lag=s.lag, at=_datetime(s.at_ms)) for s in samples],
    )


def _seconds_behind(lag: int, arrived_ms: int | None, now_ms: int) -> float | None:
    """0 only when nothing is unconsumed; unknown (None) when the oldest record could not be read."""
    if lag == 0:
        return 0.0
    if arrived_ms is None:
        return None
    return max(now_ms - arrived_ms, 1) / 1000


def _samples(slots: Sequence[WindowSlot], log: LogRange, ends_then: Mapping[int, int]) -> list[CommitSample]:
    """Each slot's lag against the log end at its commit time (the current end if nothing came since)."""
    samples = []
    for slot in slots:
        end_then = ends_then.get(slot.committed_ms, log.end)
        samples.append(CommitSample(offset=slot.offset, lag=max(end_then - slot.offset, 0), at_ms=slot.at_ms))
    return samples


def _slot_times(
    slots: Mapping[tuple[str, PartitionKey], Sequence[WindowSlot]],
) -> dict[PartitionKey, list[int]]:
    times: dict[PartitionKey, list[int]] = {}
    for (_, key), window in slots.items():
        times.setdefault(key, []).extend(slot.committed_ms for slot in window)
    return times


def _ms(window: LagWindow) -> int:
    return int(window.min_distance_s * 1000)


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
