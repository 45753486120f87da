"""The plain send path: kafka-python's public `KafkaProducer.send`, one future per record.

The path the publisher takes when the batch fast path declines (kafka-python's internals are not what
`kafka_batch_fast_path` was written against) or is turned off (`Publisher(fast_path=False)`): the same
partition (given explicitly), key, value and timestamp, the same reports; only slower (a future, its
callbacks and the accumulator's checks per record).
"""

from __future__ import annotations

from collections.abc import Iterable

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError, MessageSizeTooLargeError
from kafka.producer.future import FutureRecordMetadata
from kafka.structs import TopicPartition

from producers.send_path import Landing, Ticket, WindowQueue


class RecordPath:
    name = "kafka_record_send"

    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer

    def window(self) -> WindowQueue:
        return _RecordQueue(self.producer)

    def request_metadata(self, topics: Iterable[str]) -> None:
        """Nothing ahead: `partitions_for` asks for each topic when the window first needs it."""

    def abandon(self) -> None:
        """Nothing to drop by hand: a close that timed out leaves kafka-python's own clean-up."""


class _RecordQueue:
    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer

    def append(self, tp: TopicPartition, timestamp: int, key: bytes, value: bytes) -> Ticket:
        try:
            future = self.producer.send(
                tp.topic, value=value, key=key, partition=tp.partition, timestamp_ms=timestamp
            )
        except MessageSizeTooLargeError:
            raise  # the publisher reports it for the event, as on the fast path
        except KafkaError as exc:  # e.g. no buffer space within max_block_ms: this record failed
            return _Refused(f"{type(exc).__name__}: {exc}")
        return _SentRecord(tp, future)

    def hand_over(self) -> None:
        """The sender sends on its own (linger 0); nothing to hand over."""


class _SentRecord:
    """One record's future as a ticket of one record."""

    __slots__ = ("future", "tp")

    def __init__(self, tp: TopicPartition, future: FutureRecordMetadata) -> None:
        self.tp = tp
        self.future = future

    def wait(self, timeout: float) -> bool:
        try:
            self.future.get(timeout=timeout)
        except Exception:  # the outcome (a failure too) is read by `landing`
            return bool(self.future.is_done)
        return True

    def landing(self, timeout: float) -> Landing | str:
        try:
            metadata = self.future.get(timeout=max(0.0, timeout))
        except Exception as exc:  # the send's failure: any error kafka-python hands the future
            if not self.future.is_done:
                return f"{KafkaTimeoutError.__name__}: record for {self.tp} not confirmed in time"
            return f"{type(exc).__name__}: {exc}"
        return Landing(metadata.topic_partition, metadata.offset, None)


class _Refused:
    """A record `send` refused at once: a ticket that is done, with the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def wait(self, timeout: float) -> bool:
        return True

    def landing(self, timeout: float) -> Landing | str:
        return self.reason
