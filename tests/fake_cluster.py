"""A ClusterOffsets fake: one fixed cluster state, for lag, sampler and readiness unit tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from services.ops.burrow import OffsetCommit
from services.ops.cluster_offsets import ClusterOffsets, GroupMembers, LogRange, PartitionKey


@dataclass
class FakeCluster(ClusterOffsets):
    """One cluster state; `ends_then` answers log_ends_at, `arrivals` answers timestamps_at."""

    committed: dict[str, dict[PartitionKey, int]]
    logs: dict[PartitionKey, LogRange]
    history: dict[str, dict[PartitionKey, list[OffsetCommit]]] = field(default_factory=dict)
    ends_then: dict[PartitionKey, dict[int, int]] = field(default_factory=dict)
    arrivals: dict[PartitionKey, dict[int, int]] = field(default_factory=dict)
    owners: dict[str, GroupMembers] = field(default_factory=dict)
    asked_timestamps: list[dict[PartitionKey, int]] = field(default_factory=list)
    asked_ends: list[dict[PartitionKey, list[int]]] = field(default_factory=list)

    def groups(self) -> list[str]:
        return sorted(self.committed)

    def committed_offsets(self, groups: Sequence[str]) -> dict[str, dict[PartitionKey, int]]:
        return {g: self.committed[g] for g in groups if g in self.committed}

    def topic_partitions(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for topic, partition in self.logs:
            counts[topic] = max(counts.get(topic, 0), partition + 1)
        return counts

    def members(self, groups: Sequence[str]) -> dict[str, GroupMembers]:
        return {g: self.owners.get(g, GroupMembers("Empty")) for g in groups}

    def log_ranges(self, partitions: Iterable[PartitionKey]) -> dict[PartitionKey, LogRange]:
        return {key: self.logs[key] for key in partitions if key in self.logs}

    def log_ends_at(self, times: Mapping[PartitionKey, Sequence[int]]) -> dict[PartitionKey, dict[int, int]]:
        self.asked_ends.append({key: list(stamps) for key, stamps in times.items()})
        return {
            key: {t: self.ends_then[key][t] for t in stamps if t in self.ends_then.get(key, {})}
            for key, stamps in times.items()
        }

    def timestamps_at(self, offsets: Mapping[PartitionKey, int]) -> dict[PartitionKey, int]:
        self.asked_timestamps.append(dict(offsets))
        return {key: self.arrivals[key][o] for key, o in offsets.items() if o in self.arrivals.get(key, {})}

    def commits_since(
        self, groups: Sequence[str], since_ms: int
    ) -> dict[str, dict[PartitionKey, list[OffsetCommit]]]:
        return {
            g: {k: [c for c in cs if c.committed_ms >= since_ms] for k, cs in self.history.get(g, {}).items()}
            for g in groups
        }

    def close(self) -> None:
        pass
