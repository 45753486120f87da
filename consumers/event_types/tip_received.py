"""TipReceived: a tip reached an agency; it can start a case's story when no opening does."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType, Origin, OriginRule
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import TipReceived


def _rows(event: StoredEvent, tip: TipReceived) -> list[ProjectionRow]:
    values = {
        "received_via": tip.received_via.value,
        "platform": tip.platform,
        "province_code": tip.province_code,
        "suspected_category": tip.suspected_category,
    }
    return [ProjectionRow("tips", {**event_columns(event), **values})]


def _origin(tip: TipReceived) -> Origin:
    return Origin(
        title=tip.summary,
        province_code=tip.province_code,
        category=tip.suspected_category,
        channel=None,
        platform=tip.platform,
        goods=None,
    )


ENTRY = EventType(
    payload=TipReceived,
    label=("Tiếp nhận tin báo", "Tip received"),
    summary=("summary", "received_via", "platform", "province_code"),
    rows=_rows,
    owner_only=frozenset({"reporter_ref"}),  # protects whistle-blowers
    stage="tip",
    origin=OriginRule(rank=1, describe=_origin),
)
