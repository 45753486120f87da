"""ClusterOffsets over kafka-python: the admin API for groups and offsets, plain consumers (no group) to
read record timestamps and the commit log. Every library error becomes BrokerUnavailable."""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import structlog
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.errors import KafkaError
from kafka.protocol.consumer import OffsetSpec
from kafka.structs import TopicPartition

from schemas.outages import BrokerUnavailable
from services.kafka_admin import admin_client
from services.ops.burrow import OffsetCommit
from services.ops.cluster_offsets import ClusterOffsets, GroupMembers, LogRange, PartitionKey, PartitionOwner
from services.ops.commit_log import CONSUMER_OFFSETS_TOPIC, coordinator_partition
from services.ops.commit_tail import CommitTail

logger = structlog.get_logger()
R = TypeVar("R")


_RETRIES = 5
_RETRY_PAUSE_S = 0.5


def _broker_errors(method: Callable[..., R]) -> Callable[..., R]:
    """A failing Kafka call becomes one BrokerUnavailable line naming the address; an error Kafka calls
    retriable (a group coordinator still loading after a broker start) is asked again a few times first."""

    @functools.wraps(method)
    def wrapper(self: KafkaClusterOffsets, *args: Any, **kwargs: Any) -> R:
        attempt = 0
        while True:
            try:
                return method(self, *args, **kwargs)
            except KafkaError as exc:
                attempt += 1
                if not getattr(exc, "retriable", False) or attempt >= _RETRIES:
                    raise BrokerUnavailable(
                        f"Kafka at {self.bootstrap}: {type(exc).__name__}: {exc}"
                    ) from exc
                time.sleep(_RETRY_PAUSE_S * attempt)

    return wrapper


class KafkaClusterOffsets(ClusterOffsets):
    def __init__(
        self, bootstrap: str, timeout_s: float = 10.0, security: Mapping[str, object] | None = None
    ) -> None:
        self.bootstrap = bootstrap
        self.timeout_s = timeout_s
        self.security = dict(security or {})
        self._admin: KafkaAdminClient | None = None
        self._commit_reader: KafkaConsumer | None = None
        self._tails: dict[TopicPartition, CommitTail] = {}
        self._arrived: dict[PartitionKey, tuple[int, int]] = {}  # per partition: an offset and its stamp
        self.commit_records_read = 0
        """Commit-log records read so far (what the reports have cost)."""

    @property
    def admin(self) -> KafkaAdminClient:
        """The admin client, connected on first use (the constructor never connects)."""
        if self._admin is None:
            self._admin = admin_client(self.bootstrap, self.timeout_s, self.security)
        return self._admin

    @_broker_errors
    def groups(self) -> list[str]:
        listed = self.admin.list_groups()
        return sorted(g["group_id"] for g in listed if g.get("group_type", "classic") != "share")

    @_broker_errors
    def committed_offsets(self, groups: Sequence[str]) -> dict[str, dict[PartitionKey, int]]:
        if not groups:
            return {}
        try:
            fetched = self.admin.list_group_offsets(list(groups))
        except KafkaError:  # one odd group (e.g. a non-consumer protocol) must not hide the others
            fetched = {}
            for group in groups:
                try:
                    fetched.update(self.admin.list_group_offsets([group]))
                except KafkaError as exc:
                    logger.warning("group_offsets_unreadable", group=group, reason=str(exc))
        return {
            group: {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
            for group, offsets in fetched.items()
        }

    @_broker_errors
    def topic_partitions(self) -> dict[str, int]:
        return {
            str(t["name"]): len(t["partitions"])
            for t in self.admin.describe_topics()
            if not t.get("error_code") and not t.get("is_internal") and not str(t["name"]).startswith("__")
        }

    @_broker_errors
    def members(self, groups: Sequence[str]) -> dict[str, GroupMembers]:
        described = self.admin.describe_groups(list(groups)) if groups else {}
        return {group: _group_members(info) for group, info in described.items()}

    @_broker_errors
    def log_ranges(self, partitions: Iterable[PartitionKey]) -> dict[PartitionKey, LogRange]:
        existing = self._existing(partitions)
        if not existing:
            return {}
        ends = self.admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in existing})
        starts = self.admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in existing})
        return {(tp.topic, tp.partition): LogRange(starts[tp].offset, ends[tp].offset) for tp in existing}

    @_broker_errors
    def log_ends_at(self, times: Mapping[PartitionKey, Sequence[int]]) -> dict[PartitionKey, dict[int, int]]:
        pending = {key: sorted(set(stamps)) for key, stamps in times.items() if stamps}
        found: dict[PartitionKey, dict[int, int]] = defaultdict(dict)
        while pending:  # one ListOffsets round per i-th timestamp of every partition
            round_ = {TopicPartition(*key): stamps.pop() for key, stamps in pending.items()}
            for tp, answer in self.admin.list_partition_offsets(round_).items():
                if answer.offset >= 0:
                    found[(tp.topic, tp.partition)][int(round_[tp])] = answer.offset
            pending = {key: stamps for key, stamps in pending.items() if stamps}
        return dict(found)

    @_broker_errors
    def timestamps_at(self, offsets: Mapping[PartitionKey, int]) -> dict[PartitionKey, int]:
        """The timestamp of the record at each offset, found with ListOffsets alone (never reading it).

        Why: ops may DESCRIBE the case topics (offsets) but not READ them (the police topic is read by the
        hub's consumers only). ListOffsets(t) answers the first offset stamped at or after t, which is at
        most o exactly while t <= T(o) (timestamps grow along a partition: acks=all producers stamping
        as they send), so T(o) is found by a binary search over time, every partition in one request
        per round (~41 rounds from 0 to now, in milliseconds).
        """
        if not offsets:
            return {}
        # An offset's stamp found earlier bounds a later offset's from below (T grows along the partition):
        # a consumer's next report searches the seconds since, ~14 rounds instead of ~41.
        low = dict.fromkeys(offsets, 0)
        for key, offset in offsets.items():
            known = self._arrived.get(key)
            if known is not None and known[0] <= offset:
                low[key] = known[1]
        high = dict.fromkeys(offsets, int(time.time() * 1000) + 1)
        while active := {key: (low[key] + high[key] + 1) // 2 for key in offsets if low[key] < high[key]}:
            answers = self.admin.list_partition_offsets(
                {TopicPartition(*key): mid for key, mid in active.items()}
            )
            for tp, answer in answers.items():
                key = (tp.topic, tp.partition)
                if 0 <= answer.offset <= offsets[key]:
                    low[key] = active[key]
                else:
                    high[key] = active[key] - 1
        found = {key: stamp for key, stamp in low.items() if stamp > 0}
        self._arrived.update((key, (offsets[key], stamp)) for key, stamp in found.items())
        return found

    @_broker_errors
    def commits_since(
        self, groups: Sequence[str], since_ms: int
    ) -> dict[str, dict[PartitionKey, list[OffsetCommit]]]:
        """Read incrementally: each commit-log partition's tail is kept between calls
        (services/ops/commit_tail.py), so a later call reads only the commits made since the last one."""
        if not groups:
            return {}
        reader = self._commit_log_reader()
        count = len(reader.partitions_for_topic(CONSUMER_OFFSETS_TOPIC) or ())
        if count == 0:
            return {}
        wanted: dict[TopicPartition, set[str]] = defaultdict(set)
        for group in set(groups):
            wanted[TopicPartition(CONSUMER_OFFSETS_TOPIC, coordinator_partition(group, count))].add(group)
        ends = self.admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in wanted})
        unserved = [tp for tp, names in wanted.items() if not self._serves(tp, names, since_ms)]
        if unserved:  # first call, another group, or a longer look-back: read from `since_ms` again
            starts = self.admin.list_partition_offsets({tp: since_ms for tp in unserved})
            for tp in unserved:
                kept = self._tails[tp].groups if tp in self._tails else frozenset()
                found = starts[tp].offset
                start = found if found >= 0 else ends[tp].offset  # nothing committed since: from the end
                self._tails[tp] = CommitTail(kept | wanted[tp], since_ms, start)
        todo = {tp: ends[tp].offset for tp in wanted if self._tails[tp].position < ends[tp].offset}
        if todo:
            self._read_commits(reader, todo)
        commits: dict[str, dict[PartitionKey, list[OffsetCommit]]] = {g: {} for g in groups}
        for tp, names in wanted.items():
            tail = self._tails[tp]
            tail.forget_before(since_ms)
            for group in names:
                commits[group] = tail.commits_of(group)
        return commits

    def _serves(self, tp: TopicPartition, groups: set[str], since_ms: int) -> bool:
        tail = self._tails.get(tp)
        return tail is not None and tail.serves(groups, since_ms)

    def _read_commits(self, reader: KafkaConsumer, ends: Mapping[TopicPartition, int]) -> None:
        """From each partition's tail position to `ends`; the positions move as far as was read."""
        reader.assign(list(ends))
        for tp in ends:
            reader.seek(tp, self._tails[tp].position)
        deadline = time.monotonic() + self.timeout_s
        try:
            while any(reader.position(tp) < end for tp, end in ends.items()):
                if time.monotonic() > deadline:
                    logger.warning("commit_log_read_incomplete", partitions=[tp.partition for tp in ends])
                    return
                for tp, records in reader.poll(timeout_ms=200).items():
                    self.commit_records_read += len(records)
                    self._tails[tp].take(records)
        finally:
            for tp in ends:
                self._tails[tp].position = reader.position(tp)

    def _existing(self, partitions: Iterable[PartitionKey]) -> list[TopicPartition]:
        wanted = set(partitions)
        topics = sorted({topic for topic, _ in wanted})
        known = {t["name"]: t for t in self.admin.describe_topics(topics) if not t.get("error_code")}
        return [
            TopicPartition(topic, partition)
            for topic, partition in sorted(wanted)
            if topic in known and any(p["partition_index"] == partition for p in known[topic]["partitions"])
        ]

    def _commit_log_reader(self) -> KafkaConsumer:
        """A group-less consumer of __consumer_offsets with large fetches (the commit log is scanned)."""
        if self._commit_reader is not None:
            return self._commit_reader
        self._commit_reader = KafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id="casehub-lag-commit",
            group_id=None,
            enable_auto_commit=False,
            exclude_internal_topics=False,
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=1024 * 1024,
            request_timeout_ms=max(int(self.timeout_s * 1000), 5_000),
            bootstrap_timeout_ms=int(self.timeout_s * 1000),
            **self.security,
        )
        return self._commit_reader

    def close(self) -> None:
        if self._commit_reader is not None:
            self._commit_reader.close()
            self._commit_reader = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None


def _group_members(info: Mapping[str, Any]) -> GroupMembers:
    owners: dict[PartitionKey, PartitionOwner] = {}
    for member in info.get("members") or ():
        owner = PartitionOwner(
            client_id=str(member.get("client_id", "")),
            host=str(member.get("client_host", "")).lstrip("/"),
            member_id=str(member.get("member_id", "")),
        )
        assignment = member.get("member_assignment")
        for topic in assignment.get("assigned_partitions", ()) if isinstance(assignment, dict) else ():
            for partition in topic.get("partitions", ()):
                owners[(topic["topic"], int(partition))] = owner
    return GroupMembers(state=str(info.get("group_state") or "Unknown"), owners=owners)
