"""GoodsSeized: goods seized or handled, one projection row per item of the seizure record."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import GoodsSeized


def _rows(event: StoredEvent, seizure: GoodsSeized) -> list[ProjectionRow]:
    return [
        ProjectionRow(
            "seizures",
            {
                **event_columns(event),
                "item_no": number,
                "description": item.description,
                "quantity": item.quantity,
                "unit": item.unit,
                "value_vnd": item.value_vnd,
                "handling": seizure.handling.value,
            },
        )
        for number, item in enumerate(seizure.items, start=1)
    ]


def _record_total(seizure: GoodsSeized) -> int:
    """A seizure record states the value of the goods it lists: the sum of its items' values."""
    return sum(item.value_vnd or 0 for item in seizure.items)


ENTRY = EventType(
    payload=GoodsSeized,
    label=("Tạm giữ, tịch thu hàng hóa", "Goods seized"),
    summary=("items", "handling", "record_number"),
    rows=_rows,
    owner_only=frozenset(),
    stated_value_vnd=_record_total,
)
