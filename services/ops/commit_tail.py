"""What a lag reader has read of one partition of the commit log (`__consumer_offsets`), kept between reports.

A lag report needs every commit of its groups over the look-back (15 min by default). Read afresh for each
report — every 15 s in each `casehub consume` member — that was the whole look-back each time: a group
committing every batch put ~8,000 commit records into a report for 1,000 commits over 8 partitions (0.39 of
its 0.49 s of CPU), growing with the look-back, on the member's own interpreter lock. The tail keeps the
next offset to read and the commits of the groups it follows from `since_ms` on, so a later report reads only
what was committed since the last one; commits older than a report's look-back are dropped, which bounds it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

import structlog

from services.ops.burrow import OffsetCommit
from services.ops.cluster_offsets import PartitionKey
from services.ops.commit_log import decode_commit

logger = structlog.get_logger()


class CommitTail:
    """The commits of `groups` in one commit-log partition from `since_ms` on, and the next offset to read."""

    def __init__(self, groups: frozenset[str], since_ms: int, position: int) -> None:
        self.groups = groups
        self.since_ms = since_ms
        self.position = position
        self._commits: dict[str, dict[PartitionKey, deque[OffsetCommit]]] = {g: {} for g in groups}

    def serves(self, groups: set[str], since_ms: int) -> bool:
        """Whether it holds everything these groups committed from `since_ms` on (up to `position`)."""
        return groups <= self.groups and since_ms >= self.since_ms

    def take(self, records: Iterable[Any]) -> None:
        """The commits among commit-log records read at `position` (kafka-python's: key, value, timestamp,
        offset; the caller moves `position`). A record none of Kafka's formats reads is said in one line and
        skipped, never the report's end."""
        for record in records:
            try:
                commit = decode_commit(record.key, record.value, record.timestamp)
            except ValueError as exc:
                logger.warning("commit_record_unreadable", offset=record.offset, reason=str(exc))
                continue
            if commit is not None and commit.offset is not None:
                key = (commit.topic, commit.partition)
                self.add(commit.group, key, OffsetCommit(commit.offset, commit.committed_ms))

    def add(self, group: str, key: PartitionKey, commit: OffsetCommit) -> None:
        """A commit read at `position` (the caller moves it); other groups' are not kept."""
        by_partition = self._commits.get(group)
        if by_partition is not None:
            by_partition.setdefault(key, deque()).append(commit)

    def forget_before(self, since_ms: int) -> None:
        """Drop the commits older than `since_ms` (the look-back moved on)."""
        for by_partition in self._commits.values():
            for commits in by_partition.values():
                while commits and commits[0].committed_ms < since_ms:
                    commits.popleft()
        self.since_ms = max(self.since_ms, since_ms)

    def commits_of(self, group: str) -> dict[PartitionKey, list[OffsetCommit]]:
        """The group's commits per partition, oldest first (in the log's order)."""
        return {key: list(commits) for key, commits in self._commits.get(group, {}).items() if commits}
