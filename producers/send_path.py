"""How the publisher hands records to kafka-python and learns where they landed, whichever path it takes.

Two paths implement this: `kafka_batch_fast_path` (our own record batches queued to kafka-python's
sender, through its internals) and `kafka_record_path` (the public `KafkaProducer.send`, one future
per record). The publisher packs, waits and reports through these shapes only, so it never touches a
kafka-python internal itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from kafka.structs import TopicPartition


class Landing:
    """Where a confirmed ticket's records are: record i of the ticket is at base_offset + i."""

    __slots__ = ("base_offset", "index", "partition", "record_errors", "topic")

    def __init__(
        self, tp: TopicPartition, base_offset: int, record_errors: Callable[[int], Exception] | None
    ) -> None:
        self.topic, self.partition = tp
        self.base_offset = base_offset
        self.record_errors = record_errors
        """Per-record errors of a partly refused batch (record index → error), or None."""
        self.index = 0
        """The next record of the ticket to report (the publisher reports them in order)."""


class Ticket(Protocol):
    """One or more records handed over together, confirmed together."""

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True once the broker answered (or the send failed)."""
        ...

    def landing(self, timeout: float) -> Landing | str:
        """Where the records landed once confirmed within `timeout`, else why not (one line)."""
        ...


class WindowQueue(Protocol):
    """Records of one publish window on their way to the sender."""

    def append(self, tp: TopicPartition, timestamp: int, key: bytes, value: bytes) -> Ticket:
        """The ticket the record went into; raises MessageSizeTooLargeError for a record too large."""
        ...

    def hand_over(self) -> None:
        """Everything appended so far goes to the sender now (nothing waits for linger)."""
        ...


class SendPath(Protocol):
    name: str

    def window(self) -> WindowQueue: ...

    def request_metadata(self, topics: Iterable[str]) -> None:
        """Ask for these topics' metadata ahead, in one request where the path can (a hint, never fails)."""
        ...

    def abandon(self) -> None:
        """After a close that timed out: drop unsent batches so kafka-python does not retry at exit."""
        ...
