"""CaseOpened: an agency opens a case; the earliest opening describes the case."""

from __future__ import annotations

from consumers.event_types.entry import EventType, Origin, OriginRule, no_rows
from schemas.payloads import CaseOpened


def _origin(opening: CaseOpened) -> Origin:
    return Origin(
        title=opening.title,
        province_code=opening.province_code,
        category=opening.category,
        channel=opening.channel.value,
        platform=opening.platform,
        goods=opening.goods,
    )


ENTRY = EventType(
    payload=CaseOpened,
    label=("Mở hồ sơ vụ việc", "Case opened"),
    summary=("title", "source", "channel", "platform", "goods", "province_code", "category"),
    rows=no_rows,
    owner_only=frozenset(),
    stage="open",
    stated_value_vnd=lambda opening: opening.goods_value_vnd or 0,
    origin=OriginRule(rank=0, describe=_origin),
)
