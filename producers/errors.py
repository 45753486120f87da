"""What can go wrong when an agency publishes, each error naming the event and the reason."""

from __future__ import annotations

from schemas.errors import CasehubError, ContractViolation
from schemas.outages import BrokerUnavailable

__all__ = ["BrokerUnavailable", "DeliveryFailed", "EventRejected", "PublishError"]


class PublishError(CasehubError):
    """An event did not reach the broker; `event_id` says which and `reason` why."""

    def __init__(self, event_id: str, reason: str) -> None:
        super().__init__(f"event {event_id}: {reason}")
        self.event_id = event_id
        self.reason = reason


class EventRejected(PublishError, ContractViolation):
    """The event breaks the contract (a value or a code out of force), so it was never sent."""


class DeliveryFailed(PublishError):
    """The broker did not confirm the event (unreachable, timed out, refused)."""
