"""What a lag report reads from the cluster; Kafka implements it, unit tests fake it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from services.ops.burrow import OffsetCommit

PartitionKey = tuple[str, int]
"""(topic, partition): kept free of client library types so the report logic stays pure."""


@dataclass(frozen=True)
class PartitionOwner:
    """The group member a partition is assigned to right now."""

    client_id: str
    host: str
    member_id: str

    def __str__(self) -> str:
        return f"{self.client_id}@{self.host}"


@dataclass(frozen=True)
class GroupMembers:
    """The coordinator's view of a group: its state and who owns which partition."""

    state: str
    owners: Mapping[PartitionKey, PartitionOwner] = field(default_factory=dict)


@dataclass(frozen=True)
class LogRange:
    """First offset still in the log and the next offset to be written (the log-end offset)."""

    start: int
    end: int


class ClusterOffsets(ABC):
    """Reads committed offsets, commit history, log positions and record timestamps for any group."""

    @abstractmethod
    def groups(self) -> list[str]:
        """Every consumer group the cluster knows."""

    @abstractmethod
    def committed_offsets(self, groups: Sequence[str]) -> dict[str, dict[PartitionKey, int]]:
        """Each group's committed (next-to-read) offset per partition, as lag tools read it."""

    @abstractmethod
    def topic_partitions(self) -> dict[str, int]:
        """Partition count of every (non-internal) topic, to find partitions a group never committed."""

    @abstractmethod
    def members(self, groups: Sequence[str]) -> dict[str, GroupMembers]:
        """Group state and current partition owners."""

    @abstractmethod
    def log_ranges(self, partitions: Iterable[PartitionKey]) -> dict[PartitionKey, LogRange]:
        """Log start and end offsets; partitions that no longer exist are left out."""

    @abstractmethod
    def log_ends_at(self, times: Mapping[PartitionKey, Sequence[int]]) -> dict[PartitionKey, dict[int, int]]:
        """The log-end offset each partition had at each time (ms); absent when nothing came since."""

    @abstractmethod
    def timestamps_at(self, offsets: Mapping[PartitionKey, int]) -> dict[PartitionKey, int]:
        """Timestamp (ms) of the first record at or after each offset: when the oldest unread one arrived."""

    @abstractmethod
    def commits_since(
        self, groups: Sequence[str], since_ms: int
    ) -> dict[str, dict[PartitionKey, list[OffsetCommit]]]:
        """Every commit of these groups since `since_ms`, oldest first."""

    @abstractmethod
    def close(self) -> None: ...
