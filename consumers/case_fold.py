"""The shared case record folded from all its events, the same whatever order they arrived in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from schemas.errors import ContractViolation
from schemas.reference import bucket_of, current_province, local_date
from services.store.records import CaseState, StoredEvent

STUB_STATUS = "stub"
# A case's status is the furthest stage any agency has reported; order of arrival cannot change a maximum.
STAGE_OF: dict[str, str] = {
    "TipReceived": "tip",
    "CaseOpened": "open",
    "InspectionConducted": "inspected",
    "ViolationConfirmed": "violation_confirmed",
    "PenaltyDecided": "penalized",
    "CaseReferred": "referred",
    "CaseClosed": "closed",
}
STAGES = list(STAGE_OF.values())


def fold_case(case_id: str, events: Sequence[StoredEvent]) -> CaseState:
    """The case row from every stored event of the case.

    Events are ordered by (occurred_at, event_id), never by arrival; without a CaseOpened (or tip) the
    case is a `stub` that the opening completes when it arrives.
    """
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.event_id))
    opening = next((e for e in ordered if e.event_type == "CaseOpened"), None)
    tip = next((e for e in ordered if e.event_type == "TipReceived"), None)
    closing = next((e for e in reversed(ordered) if e.event_type == "CaseClosed"), None)
    details = opening.payload if opening is not None else {}
    province = details.get("province_code") or (tip.payload.get("province_code") if tip else None)
    category = details.get("category") or (tip.payload.get("suspected_category") if tip else None)
    started = opening or tip or ordered[0]
    return CaseState(
        case_id=case_id,
        status=_status(ordered) if (opening or tip) else STUB_STATUS,
        title=details.get("title") or (tip.payload.get("summary") if tip else None),
        opened_by=started.agency if (opening or tip) else None,
        agencies=tuple(sorted({e.agency for e in ordered})),
        province_code=province,
        category=category,
        channel=details.get("channel"),
        platform=details.get("platform") or (tip.payload.get("platform") if tip else None),
        goods=details.get("goods"),
        total_fines_vnd=sum(e.payload["fine_vnd"] for e in ordered if e.event_type == "PenaltyDecided"),
        goods_value_vnd=sum(_seized_value(e) for e in ordered if e.event_type == "GoodsSeized"),
        current_province_code=_current_province(province, local_date(started.occurred_at)),
        bucket=_bucket(category),
        outcome=closing.payload.get("outcome") if closing else None,
        closed_at=closing.occurred_at if closing else None,
        event_count=len(ordered),
        first_event_at=ordered[0].occurred_at,
        last_event_at=ordered[-1].occurred_at,
    )


def _status(events: Sequence[StoredEvent]) -> str:
    reached = [STAGES.index(STAGE_OF[e.event_type]) for e in events if e.event_type in STAGE_OF]
    return STAGES[max(reached)]


def _seized_value(event: StoredEvent) -> int:
    return sum(item.get("value_vnd") or 0 for item in event.payload.get("items", ()))


def _current_province(code: str | None, on: date) -> str | None:
    """The 34-unit province a code written on `on` belongs to now (codes mean different units by date)."""
    if not code:
        return None
    try:
        return current_province(code, on).code
    except ContractViolation:
        return None


def _bucket(category: str | None) -> str | None:
    bucket = bucket_of(category) if category else None
    return bucket.value if bucket is not None else None
