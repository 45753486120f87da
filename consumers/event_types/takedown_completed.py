"""TakedownCompleted: the platform's answer; the completed stage of a takedown, with its outcome."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import TakedownCompleted


def _rows(event: StoredEvent, answer: TakedownCompleted) -> list[ProjectionRow]:
    values = {
        "stage": "completed",
        "platform": answer.platform,
        "request_reference": answer.request_reference,
        "listing_urls": list(answer.listing_urls),
        "outcome": answer.outcome.value,
    }
    return [ProjectionRow("takedowns", {**event_columns(event), **values})]


ENTRY = EventType(
    payload=TakedownCompleted,
    label=("Kết quả gỡ bỏ", "Takedown completed"),
    summary=("platform", "outcome", "listing_urls", "platform_reference"),
    rows=_rows,
    owner_only=frozenset(),
)
