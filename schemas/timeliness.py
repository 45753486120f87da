"""An event cannot have happened, or been recorded, after it was received (beyond a little clock skew)."""

from __future__ import annotations

from datetime import datetime

from schemas.bounds import CLOCK_SKEW
from schemas.errors import ContractViolation
from schemas.events import CaseEvent


def check_event_time(event: CaseEvent, received_at: datetime) -> None:
    """Raise ContractViolation when the event is dated after `received_at` + CLOCK_SKEW.

    The materializer passes the record's Kafka timestamp (capped at its own clock), so a rebuild from
    the log judges an event exactly as the live consumer did, whatever the day it runs.
    """
    latest = received_at + CLOCK_SKEW
    for name in ("occurred_at", "recorded_at"):
        value: datetime = getattr(event, name)
        if value > latest:
            raise ContractViolation(
                f"{name} {value:%Y-%m-%d %H:%M:%S}Z is in the future: later than the event reached the hub "
                f"(clock skew allowed: {CLOCK_SKEW})"
            )
