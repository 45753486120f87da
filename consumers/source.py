"""What the materializer reads from and reports to; Kafka implements these, unit tests fake them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from consumers.records import DeadLetter


@dataclass(frozen=True)
class InboundRecord:
    """One message as read from an agency topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int = 0
    headers: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


_new = object.__new__


def inbound_records(polled: Iterable[Sequence[Any]]) -> list[InboundRecord]:
    """The records of one poll (kafka-python's `ConsumerRecord`s, grouped by partition) as ours.

    Why not `InboundRecord(...)`: a frozen dataclass's `__init__` sets each of its seven fields through
    `object.__setattr__`, ~1.2 µs a record, a tenth of what reading a record costs; filling the instance
    dict directly gives the same record (`==`, `hash`, `repr` read the same fields; the class has no
    `__post_init__`) in ~0.4 µs. tests/unit/test_inbound_records.py compares the two.
    """
    built: list[InboundRecord] = []
    for records in polled:
        for r in records:
            if r.__class__ is InboundRecord:  # read as ours already (consumers.kafka_fetch_fast_path)
                built.append(r)
                continue
            record = _new(InboundRecord)
            fields = record.__dict__
            fields["topic"] = r.topic
            fields["partition"] = r.partition
            fields["offset"] = r.offset
            fields["key"] = r.key
            fields["value"] = r.value
            fields["timestamp_ms"] = r.timestamp
            fields["headers"] = tuple(r.headers) if r.headers else ()
            built.append(record)
    return built


class RecordSource(ABC):
    """A subscription that yields batches and accepts commits of next offsets. Building one never
    connects: `start` does (or the first poll), so a process can fail fast before it serves anything."""

    def start(self) -> None:  # noqa: B027 - an optional hook: sources with nothing to connect keep it
        """Connect and subscribe now (idempotent)."""

    @abstractmethod
    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        """The next batch (possibly empty), in offset order per partition; at most `max_records`, and
        never more than the source's own limit (None: that limit)."""

    @abstractmethod
    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        """Tell the broker how far the group got (after the store has committed)."""

    @abstractmethod
    def is_assigned(self) -> bool:
        """Whether the group has given this consumer any partitions yet."""

    def rebalance_pending(self) -> bool:
        """Whether the group is rebalancing and waits for this member to rejoin (at its next poll).
        Records polled before it are then better left unwritten: the group waits for every member, and
        whoever is given their partitions reads them again from the store's offsets."""
        return False

    @abstractmethod
    def pause(self) -> None:
        """Stop fetching from every assigned partition (the group membership stays)."""

    @abstractmethod
    def resume(self) -> None:
        """Fetch again from every paused partition."""

    @abstractmethod
    def close(self) -> None: ...


class DeadLetterSink(ABC):
    """Where rejected records are republished with their context, for ops tools and replay."""

    @abstractmethod
    def publish(self, letters: Sequence[DeadLetter]) -> None:
        """Send and confirm every letter, or raise BrokerUnavailable."""

    @abstractmethod
    def close(self) -> None: ...
