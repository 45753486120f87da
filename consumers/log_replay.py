"""Read the whole log once, from the beginning to the end offsets seen at the start (for rebuilds)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kafka import KafkaConsumer
from kafka.errors import CorruptRecordError
from kafka.structs import TopicPartition

from consumers.damaged_batches import DamagedBatch, DamagedBatchError, DamagedBatchRetries, damaged_log
from consumers.kafka_fetch_fast_path import forget_damaged, forget_spent
from consumers.kafka_fetch_fast_path import install as install_fetch_fast_path
from consumers.lazy_consumer import LazyKafkaSource
from consumers.records import DeadLetter
from consumers.source import DeadLetterSink, InboundRecord, inbound_records
from schemas.fast_path_declines import FastPathDeclines


class LogReplaySource(LazyKafkaSource):
    """Assigns every partition of the matching topics (no group, no commits) and stops at the snapshot."""

    def __init__(
        self,
        *,
        bootstrap: str,
        topic_pattern: str,
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
        snapshot: Mapping[tuple[str, int], tuple[int, int]] | None = None,
        max_poll_records: int = 5000,
    ) -> None:
        """`snapshot`: replay only these partitions, from their beginning up to the given end offsets
        ((topic, partition) → (first offset, end offset), as another source took them): one of several
        replay processes over disjoint partitions (services/rebuild_members.py)."""
        self._pattern = re.compile(topic_pattern)
        self._snapshot = dict(snapshot) if snapshot is not None else None
        config: dict[str, object] = {
            "bootstrap_servers": bootstrap,
            "enable_auto_commit": False,
            "group_id": None,
            "max_poll_records": max_poll_records,
            "fetch_max_bytes": 32 * 1024 * 1024,
            "bootstrap_timeout_ms": int(connect_timeout_s * 1000),
            **dict(security or {}),
        }
        super().__init__(bootstrap=bootstrap, config=config)
        self.end_offsets: dict[TopicPartition, int] = {}
        self.start_offsets: dict[TopicPartition, int] = {}
        self._open: set[TopicPartition] = set()
        self.fetch_fast_path = FastPathDeclines("kafka_fetch_fast_path")
        self.damaged_batches = DamagedBatchRetries()

    def _connected(self, consumer: KafkaConsumer) -> None:
        """Assign every matching partition and take the snapshot of end offsets (the first poll or
        `total_records` connects too); fetched batches are read by consumers.kafka_fetch_fast_path
        unless this kafka-python refuses it."""
        if (refusal := install_fetch_fast_path(consumer)) is not None:
            self.fetch_fast_path.declined("kafka_internals_changed", detail=refusal, taken="kafka_records")
        snapshot = self._snapshot if self._snapshot is not None else self._whole_log(consumer)
        partitions = [TopicPartition(t, p) for t, p in sorted(snapshot)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        self.start_offsets = {tp: snapshot[tp.topic, tp.partition][0] for tp in partitions}
        self.end_offsets = {tp: snapshot[tp.topic, tp.partition][1] for tp in partitions}
        self._open = {tp for tp, end in self.end_offsets.items() if end > self.start_offsets[tp]}
        consumer.pause(*(set(partitions) - self._open))

    def _whole_log(self, consumer: KafkaConsumer) -> dict[tuple[str, int], tuple[int, int]]:
        """(first, end offset) of every partition of the matching topics, now."""
        topics = sorted(t for t in consumer.topics() if self._pattern.match(t))
        partitions = [
            TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        starts, ends = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): (starts[tp], ends[tp]) for tp in partitions}

    @property
    def total_records(self) -> int:
        self.start()
        return sum(end - self.start_offsets[tp] for tp, end in self.end_offsets.items())

    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        """The next records up to the snapshot; an empty list means the replay is complete, or that the
        consumer paused it (a batch retried after a store error polls paused: it must come back then)."""
        self.start()
        while self._open:
            try:
                polled = self.consumer.poll(
                    timeout_ms=int(timeout_s * 1000), max_records=self.poll_limit(max_records)
                )
            except DamagedBatchError as exc:
                if (damaged := self._damaged(exc)) is not None:
                    return [damaged]
                continue
            except CorruptRecordError as exc:  # the library's own parse (ours declined): no range known
                forget_spent(self.consumer)
                if self.damaged_batches.judged_plain(exc):
                    raise damaged_log(str(exc)) from None
                continue
            records: list[InboundRecord] = []
            for tp, batch in polled.items():
                end = self.end_offsets[tp]
                records.extend(r for r in inbound_records([batch]) if r.offset < end)
                if self.consumer.position(tp) >= end:
                    self._open.discard(tp)
                    self.consumer.pause(tp)
            if records:
                return records
            if self._open <= self.consumer.paused():
                return []  # waiting out a store outage, every partition paused: nothing can come
        return []

    def _damaged(self, error: DamagedBatchError) -> DamagedBatch | None:
        """A batch the log holds damaged, as the live source treats it (consumers/damaged_batches.py):
        fetched again a few times, then one record to dead-letter, the partition sought past it."""
        forget_damaged(self.consumer, error)
        stalled = self.damaged_batches.stalled
        damaged = self.damaged_batches.judged(error)
        if damaged is None:
            if self.damaged_batches.stalled > stalled:  # no range known: the live consumer stalls there
                where = f"{error.topic}-{error.partition} at offset {error.position}"
                raise damaged_log(f"{where}: {error.reason}")
            return None
        tp = TopicPartition(error.topic, error.partition)
        self.consumer.seek(tp, damaged.next_offset)
        if damaged.next_offset >= self.end_offsets[tp]:
            self._open.discard(tp)
            self.consumer.pause(tp)
        return damaged

    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        """A replay leaves the live group's committed offsets alone."""

    def is_assigned(self) -> bool:
        return True

    def pause(self) -> None:
        self.consumer.pause(*self._open)

    def resume(self) -> None:
        self.consumer.resume(*self._open)


class KeepDeadLettersInStore(DeadLetterSink):
    """A rebuild keeps dead letters in the new store only; the topic already holds them."""

    def publish(self, letters: Sequence[DeadLetter]) -> None:
        return None

    def close(self) -> None:
        return None
