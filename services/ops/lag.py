"""Consumer lag per group and partition, computed when asked, for any group on the cluster.

Messages behind = log-end offset − committed offset. Time behind = now − timestamp of the record at the
committed offset (the oldest one the group has not consumed), so a stopped consumer's lag keeps growing.
The status window is the group's real commit history from Kafka's commit log, so a one-shot call is as
well informed as a long-running monitor; see services.ops.burrow for the rules.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from schemas.errors import CasehubError
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
from services.ops.catch_up import Progress, recent_progress, seconds_to_catch_up
from services.ops.cluster_offsets import ClusterOffsets, GroupMembers, LogRange, PartitionKey
from services.settings import Settings

GROUP_ID_MAX_BYTES = 32_767
"""The longest group id Kafka's protocol carries (a string with a 16-bit length)."""


@dataclass(frozen=True)
class LagWindow:
    """Burrow's window: `intervals` commits at least `min_distance_s` apart, read back `lookback_s`."""

    intervals: int = 10
    min_distance_s: float = 1.0
    lookback_s: float = 900.0

    @property
    def full_span_ms(self) -> int:
        return int(self.intervals * self.min_distance_s * 1000)

    def slots(self, commits: Sequence[OffsetCommit]) -> list[WindowSlot]:
        """The window's slots over a partition's commits (at most `intervals`)."""
        return commit_window(commits, self.intervals, int(self.min_distance_s * 1000))


class WindowCommit(BaseModel):
    """One slot of Burrow's window: the committed offset, the lag at that commit, the slot's time."""

    offset: int
    lag: int
    at: datetime


class PartitionLag(BaseModel):
    topic: str
    partition: int
    committed_offset: int | None = Field(
        description="The group's committed (next to read) offset; null when it never committed here "
        "(the lag then counts from the log start, where a new member starts reading)."
    )
    log_start_offset: int
    log_end_offset: int = Field(description="Offset of the next message to be written.")
    lag_messages: int = Field(description="log_end_offset − committed_offset.")
    lag_seconds: float | None = Field(
        description="Age now of the oldest unconsumed message; 0 only with no lag; null if unreadable."
    )
    oldest_unconsumed_at: datetime | None
    member: str | None = Field(description="client_id@host of the member the partition is assigned to.")
    status: LagStatus = Field(description="Burrow's status over the window (see docs/architecture.md).")
    consume_rate: float = Field(description="Offsets committed per second over the last full window.")
    catch_up_seconds: float | None = Field(description="Lag ÷ drain rate; null when not catching up.")
    window: list[WindowCommit]


class GroupLag(BaseModel):
    group: str
    state: str = Field(description="The coordinator's group state: Stable, Empty, PreparingRebalance...")
    status: LagStatus = Field(description="Worst partition, with STOP/STALL/REWIND shown as ERR.")
    worst: LagStatus = Field(description="The worst partition status itself.")
    lag_messages: int
    lag_seconds: float | None
    consume_rate: float
    catch_up_seconds: float | None = Field(description="Group lag ÷ the group's summed drain rate.")
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
    expected: Mapping[str, str] | None = None,
) -> LagReport:
    """Lag of the given groups (default: every group on the cluster, and the `expected` ones) at `now_ms`.

    A group's partitions are every partition of the topics it committed on, is assigned, or (for an
    `expected` group: group → topic regex, the hub's own consumers) subscribes to, so a partition never
    committed but holding messages counts, and so does a group that never committed at all.
    """
    for group in groups or ():
        if len(group.encode("utf-8", "surrogatepass")) > GROUP_ID_MAX_BYTES:
            # Asked, the broker drops the connection (said as "broker unavailable"); the log line is its size.
            raise UnknownGroup(
                f"no consumer group has an id of {len(group):,} characters (Kafka's limit: "
                f"{GROUP_ID_MAX_BYTES:,} bytes)"
            )
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    expected = {g: p for g, p in (expected or {}).items() if not groups or g in groups}
    names = sorted(set(groups) if groups else set(cluster.groups()) | set(expected))
    found = cluster.committed_offsets(names)
    members = cluster.members(names)
    topics = cluster.topic_partitions()
    committed: dict[str, dict[PartitionKey, int | None]] = {}
    for group in names:
        offsets = found.get(group, {})
        owned = members[group].owners if group in members else {}
        wanted = {t for t, _ in offsets} | {t for t, _ in owned}
        if group in expected:
            wanted |= {t for t in topics if re.match(expected[group], t)}
        keys = set(offsets) | {(t, p) for t in wanted for p in range(topics.get(t, 0))}
        if keys:
            committed[group] = {key: offsets.get(key) for key in keys}
    for missing in sorted(set(groups or ()) - set(committed)):
        raise UnknownGroup(f"consumer group {missing!r} has no committed offsets on this cluster")
    view = _read(cluster, committed, window, now_ms, members)
    return LagReport(
        generated_at=_datetime(now_ms),
        window_intervals=window.intervals,
        window_min_distance_s=window.min_distance_s,
        groups=[view.group_lag(group, offsets) for group, offsets in sorted(committed.items())],
    )


@dataclass(frozen=True)
class _ClusterView:
    """Everything read from the cluster for one report, so the assembly below is plain computation."""

    window: LagWindow
    now_ms: int
    logs: Mapping[PartitionKey, LogRange]
    members: Mapping[str, GroupMembers]
    history: Mapping[str, Mapping[PartitionKey, list[OffsetCommit]]]
    slots: Mapping[str, Mapping[PartitionKey, list[WindowSlot]]]
    """Each group's window over each partition's history (computed once: the log ends are read at them)."""
    ends_then: Mapping[PartitionKey, Mapping[int, int]]
    arrived: Mapping[PartitionKey, int]

    @property
    def recent_since_ms(self) -> int:
        return self.now_ms - self.window.full_span_ms

    def group_lag(self, group: str, offsets: Mapping[PartitionKey, int | None]) -> GroupLag:
        history = self.history.get(group, {})
        last_commit_ms = max((c.committed_ms for cs in history.values() for c in cs), default=None)
        rows, progress = [], []
        for key, committed in sorted(offsets.items()):
            if key not in self.logs:  # the topic or partition was deleted
                continue
            if committed is None:
                rows.append(self._never_committed(key, group, last_commit_ms))
                progress.append(Progress(0, 0, self.window.full_span_ms / 1000))
            else:
                commits = history.get(key, [])
                pace = self._progress(key, committed, commits)
                rows.append(self._partition_lag(key, committed, pace, last_commit_ms, group))
                progress.append(pace)
        lag = sum(row.lag_messages for row in rows)
        stuck = any(row.status not in (LagStatus.OK, LagStatus.WARN) for row in rows if row.lag_messages)
        return GroupLag(
            group=group,
            state=self.members[group].state if group in self.members else "Unknown",
            status=group_status(row.status for row in rows),
            worst=worst_status(row.status for row in rows),
            lag_messages=lag,
            lag_seconds=max((row.lag_seconds for row in rows if row.lag_seconds is not None), default=0.0),
            consume_rate=sum(p.consume_rate for p in progress),
            catch_up_seconds=None if stuck else seconds_to_catch_up(lag, progress),
            partitions=rows,
        )

    def _never_committed(
        self, key: PartitionKey, group: str, group_last_commit_ms: int | None
    ) -> PartitionLag:
        """A partition the group never committed: everything in the log waits. STOP when nobody owns it,
        or when its owner's whole group has committed nothing for a full window while the oldest message
        waited longer than that (a member stuck on its first batch); WARN otherwise (starting, or busy
        on other partitions)."""
        log = self.logs[key]
        lag = log.end - log.start
        owner = self.members[group].owners.get(key) if group in self.members else None
        arrived_ms = self.arrived.get(key)
        span = self.window.full_span_ms
        silent = group_last_commit_ms is None or self.now_ms - group_last_commit_ms > span
        waited = arrived_ms is not None and self.now_ms - arrived_ms > span
        if not lag:
            status = LagStatus.OK
        elif owner is None or (silent and waited):
            status = LagStatus.STOP
        else:
            status = LagStatus.WARN
        return PartitionLag(
            topic=key[0],
            partition=key[1],
            committed_offset=None,
            log_start_offset=log.start,
            log_end_offset=log.end,
            lag_messages=lag,
            lag_seconds=_seconds_behind(lag, arrived_ms, self.now_ms),
            oldest_unconsumed_at=_datetime(arrived_ms) if lag and arrived_ms is not None else None,
            member=str(owner) if owner else None,
            status=status,
            consume_rate=0.0,
            catch_up_seconds=None,
            window=[],
        )

    def _progress(self, key: PartitionKey, committed: int, commits: Sequence[OffsetCommit]) -> Progress:
        log = self.logs[key]
        end_then = self.ends_then.get(key, {}).get(self.recent_since_ms, log.end)
        return recent_progress(commits, committed, log.end, end_then, self.recent_since_ms, self.now_ms)

    def _partition_lag(
        self,
        key: PartitionKey,
        committed: int,
        pace: Progress,
        group_last_commit_ms: int | None,
        group: str,
    ) -> PartitionLag:
        log = self.logs[key]
        lag = max(log.end - committed, 0)
        samples = [self._sample(key, slot) for slot in self.slots.get(group, {}).get(key, [])]
        arrived_ms = self.arrived.get(key)
        if committed < log.start:
            status = LagStatus.ERR  # retention deleted messages the group never read
        else:
            status = partition_status(
                samples,
                lag,
                self.now_ms,
                full_window_ms=self.window.full_span_ms,
                oldest_unconsumed_ms=arrived_ms,
                group_last_commit_ms=group_last_commit_ms,
            )
        owner = self.members[group].owners.get(key) if group in self.members else None
        healthy = status in (LagStatus.OK, LagStatus.WARN)
        return PartitionLag(
            topic=key[0],
            partition=key[1],
            committed_offset=committed,
            log_start_offset=log.start,
            log_end_offset=log.end,
            lag_messages=lag,
            lag_seconds=_seconds_behind(lag, arrived_ms, self.now_ms),
            oldest_unconsumed_at=_datetime(arrived_ms) if lag and arrived_ms is not None else None,
            member=str(owner) if owner else None,
            status=status,
            consume_rate=pace.consume_rate,
            catch_up_seconds=seconds_to_catch_up(lag, [pace]) if healthy else None,
            window=[WindowCommit(offset=s.offset, lag=s.lag, at=_datetime(s.at_ms)) for s in samples],
        )

    def _sample(self, key: PartitionKey, slot: WindowSlot) -> CommitSample:
        """A slot's lag against the log end at its commit time (the current end if nothing came since)."""
        end_then = self.ends_then.get(key, {}).get(slot.committed_ms, self.logs[key].end)
        return CommitSample(offset=slot.offset, lag=max(end_then - slot.offset, 0), at_ms=slot.at_ms)


def _read(
    cluster: ClusterOffsets,
    committed: Mapping[str, Mapping[PartitionKey, int | None]],
    window: LagWindow,
    now_ms: int,
    members: Mapping[str, GroupMembers],
) -> _ClusterView:
    """The cluster reads of one report, batched across groups and partitions."""
    logs = cluster.log_ranges({key for offsets in committed.values() for key in offsets})
    groups = sorted(committed)
    history = cluster.commits_since(groups, now_ms - int(window.lookback_s * 1000))
    recent_since_ms = now_ms - window.full_span_ms
    # The log's end is asked at the times the report reads it: the window's slots (at most `intervals` a
    # partition) and the recent pace's start. Asking it at every commit of the look-back cost a ListOffsets
    # round trip per commit: ~1,000 (1.5–1.8 s of CPU) a report for a member committing ~1/s for 15 min.
    slots = {
        group: {key: window.slots(commits) for key, commits in by_partition.items() if key in logs}
        for group, by_partition in history.items()
    }
    times: dict[PartitionKey, set[int]] = {key: {recent_since_ms} for key in logs}
    for by_partition in slots.values():
        for key, window_slots in by_partition.items():
            times[key].update(slot.committed_ms for slot in window_slots)
    unread = {
        key: logs[key].start if offset is None else offset
        for offsets in committed.values()
        for key, offset in offsets.items()
        if key in logs and logs[key].start <= (logs[key].start if offset is None else offset) < logs[key].end
    }
    return _ClusterView(
        window=window,
        now_ms=now_ms,
        logs=logs,
        members=members,
        history=history,
        slots=slots,
        ends_then=cluster.log_ends_at({key: sorted(stamps) for key, stamps in times.items()}),
        arrived=cluster.timestamps_at(unread),
    )


def _seconds_behind(lag: int, arrived_ms: int | None, now_ms: int) -> float | None:
    """0 only when nothing is unconsumed; unknown (None) when the oldest record could not be read."""
    if lag == 0:
        return 0.0
    if arrived_ms is None:
        return None
    return max(now_ms - arrived_ms, 1) / 1000


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def lag_window(settings: Settings) -> LagWindow:
    return LagWindow(settings.lag_window_commits, settings.lag_min_distance_s, settings.lag_lookback_s)


def hub_groups(settings: Settings) -> dict[str, str]:
    """The hub's own consumer groups and the topics they subscribe to: shown by the lag tools even
    before (or without) a single commit, with every partition that holds messages."""
    pattern = settings.agency_topic_pattern
    return {settings.consumer_group: pattern, settings.entity_group: pattern}
