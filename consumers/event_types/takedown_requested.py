"""TakedownRequested: an agency asks a platform to remove listings; the request stage of a takedown."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import TakedownRequested


def _rows(event: StoredEvent, request: TakedownRequested) -> list[ProjectionRow]:
    values = {
        "stage": "requested",
        "platform": request.platform,
        "request_reference": request.request_reference,
        "listing_urls": list(request.listing_urls),
        "outcome": None,
    }
    return [ProjectionRow("takedowns", {**event_columns(event), **values})]


ENTRY = EventType(
    payload=TakedownRequested,
    label=("Yêu cầu gỡ bỏ", "Takedown requested"),
    summary=("platform", "listing_urls", "request_reference", "due_at"),
    rows=_rows,
    owner_only=frozenset(),
)
