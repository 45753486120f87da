"""What the materializer reads from and reports to; Kafka implements these, unit tests fake them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


class RecordSource(ABC):
    """A subscription that yields batches and accepts commits of next offsets. Building one never
    connects: `start` does (or the first poll), so a process can fail fast before it serves anything."""

    def start(self) -> None:  # noqa: B027 - an optional hook: sources with nothing to connect keep it
        """Connect and subscribe now (idempotent)."""

    @abstractmethod
    def poll(self, timeout_s: float) -> list[InboundRecord]:
        """The next batch (possibly empty), in offset order per partition."""

    @abstractmethod
    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        """Tell the broker how far the group got (after the store has committed)."""

    @abstractmethod
    def is_assigned(self) -> bool:
        """Whether the group has given this consumer any partitions yet."""

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
