"""CaseClosed: the owner closes the case; the latest closure gives the case its outcome."""

from __future__ import annotations

from consumers.event_types.entry import EventType, no_rows
from schemas.payloads import CaseClosed

ENTRY = EventType(
    payload=CaseClosed,
    label=("Kết thúc vụ việc", "Case closed"),
    summary=("outcome",),
    rows=no_rows,
    owner_only=frozenset(),
    stage="closed",
    closing_outcome=lambda closing: closing.outcome.value,
)
