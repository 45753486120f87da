"""What a publish call tells its caller: a confirmation per event stored, and every failure with why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from producers.errors import DeliveryFailed, EventRejected


@dataclass(frozen=True, slots=True)
class Delivery:
    """The broker's confirmation that an event is stored: where it landed."""

    event_id: str
    case_id: str
    topic: str
    partition: int
    offset: int


class FailedEvent(NamedTuple):
    event_id: str
    reason: str


@dataclass
class PublishReport:
    """What one `publish` call achieved: confirmed deliveries and every event that failed, with why."""

    sent: int = 0
    failed: list[FailedEvent] = field(default_factory=list)
    rejected_ids: set[str] = field(default_factory=set)
    """The failed events that broke the contract and were never sent (the broker refused the others)."""
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejected_ids)

    def raise_for_failures(self) -> None:
        """Raise the first failure as a typed error, for callers that want all-or-error."""
        if not self.failed:
            return
        event_id, reason = self.failed[0]
        more = f" (and {len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
        error = EventRejected if event_id in self.rejected_ids else DeliveryFailed
        raise error(event_id, reason + more)
