"""The shared case record: a fold over its events whose steps commute, so arrival order cannot matter.

`merge_case(existing, new_events)` extends a stored case row with events it has not counted yet:
the stage is a maximum, fines a sum, the goods value the largest any event states, agencies a union,
first/last a min/max, and the "origin" (the earliest opening, else the earliest tip) and the latest closure
are chosen by a total order on (occurred_at, event_id). `fold_case(events)` is the same merge from nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from schemas.bounds import check_amount_total
from schemas.errors import ContractViolation
from schemas.reference import bucket_of, current_province, local_date
from services.store.records import CaseState, StoredEvent

STUB_STATUS = "stub"
STAGE_OF: dict[str, str] = {
    "TipReceived": "tip",
    "CaseOpened": "open",
    "InspectionConducted": "inspected",
    "ViolationConfirmed": "violation_confirmed",
    "PenaltyDecided": "penalized",
    "CaseReferred": "referred",
    "CaseClosed": "closed",
}
STAGES = ["none", *STAGE_OF.values()]
ORIGIN_PRIORITY = {"CaseOpened": 0, "TipReceived": 1}


def fold_case(case_id: str, events: Sequence[StoredEvent]) -> CaseState:
    """The case row from a set of events (each counted once)."""
    return merge_case(case_id, None, events)


def merge_case(case_id: str, existing: CaseState | None, new_events: Sequence[StoredEvent]) -> CaseState:
    """`existing` (or nothing) extended with events it has not seen; the result is order-independent."""
    if not new_events:
        if existing is None:
            raise ValueError(f"case {case_id} has no events")
        return existing
    base = existing or _empty(case_id, new_events[0])
    origin = min(
        (e for e in new_events if e.event_type in ORIGIN_PRIORITY),
        key=_origin_key,
        default=None,
    )
    closing = max((e for e in new_events if e.event_type == "CaseClosed"), key=_key, default=None)
    stage = max(
        [
            STAGES.index(base.stage),
            *(STAGES.index(STAGE_OF[e.event_type]) for e in new_events if e.event_type in STAGE_OF),
        ]
    )
    merged = replace(
        base,
        stage=STAGES[stage],
        agencies=tuple(sorted(set(base.agencies) | {e.agency for e in new_events})),
        total_fines_vnd=base.total_fines_vnd
        + sum(e.payload["fine_vnd"] for e in new_events if e.event_type == "PenaltyDecided"),
        goods_value_vnd=max([base.goods_value_vnd, *(_stated_value(e) for e in new_events)]),
        event_count=base.event_count + len(new_events),
        first_event_at=min([base.first_event_at, *(e.occurred_at for e in new_events)])
        if existing
        else min(e.occurred_at for e in new_events),
        last_event_at=max([base.last_event_at, *(e.occurred_at for e in new_events)]),
    )
    check_amount_total("total fines", merged.total_fines_vnd)  # a refused sum, never an overflow
    check_amount_total("goods value", merged.goods_value_vnd)
    if origin is not None and (
        merged.origin_event_id is None or _origin_key(origin) < _stored_origin_key(merged)
    ):
        merged = _with_origin(merged, origin)
    if closing is not None and (
        merged.closing_event_id is None or _key(closing) > _stored_closing_key(merged)
    ):
        merged = replace(
            merged,
            outcome=closing.payload.get("outcome"),
            closed_at=closing.occurred_at,
            closing_event_id=closing.event_id,
        )
    return replace(merged, status=merged.stage if merged.origin_event_id else STUB_STATUS)


def _empty(case_id: str, first: StoredEvent) -> CaseState:
    return CaseState(
        case_id=case_id,
        status=STUB_STATUS,
        stage="none",
        title=None,
        opened_by=None,
        opened_at=None,
        origin_event_id=None,
        origin_event_type=None,
        agencies=(),
        province_code=None,
        current_province_code=None,
        category=None,
        bucket=None,
        channel=None,
        platform=None,
        goods=None,
        total_fines_vnd=0,
        goods_value_vnd=0,
        outcome=None,
        closed_at=None,
        closing_event_id=None,
        event_count=0,
        first_event_at=first.occurred_at,
        last_event_at=first.occurred_at,
    )


def _with_origin(case: CaseState, origin: StoredEvent) -> CaseState:
    """Take the case's description from its origin: the opening's details, or the tip's."""
    p = origin.payload
    opening = origin.event_type == "CaseOpened"
    province = p.get("province_code")
    category = p.get("category") if opening else p.get("suspected_category")
    return replace(
        case,
        title=p.get("title") if opening else p.get("summary"),
        opened_by=origin.agency,
        opened_at=origin.occurred_at,
        origin_event_id=origin.event_id,
        origin_event_type=origin.event_type,
        province_code=province,
        current_province_code=_current_province(province, local_date(origin.occurred_at)),
        category=category,
        bucket=_bucket(category),
        channel=p.get("channel") if opening else None,
        platform=p.get("platform"),
        goods=p.get("goods") if opening else None,
    )


def _key(event: StoredEvent) -> tuple[object, ...]:
    return (event.occurred_at, event.event_id)


def _origin_key(event: StoredEvent) -> tuple[object, ...]:
    return (ORIGIN_PRIORITY[event.event_type], event.occurred_at, event.event_id)


def _stored_origin_key(case: CaseState) -> tuple[object, ...]:
    return (ORIGIN_PRIORITY[case.origin_event_type or "TipReceived"], case.opened_at, case.origin_event_id)


def _stored_closing_key(case: CaseState) -> tuple[object, ...]:
    return (case.closed_at, case.closing_event_id)


VALUE_STATED_BY = frozenset({"CaseOpened", "ViolationConfirmed", "GoodsSeized"})


def _stated_value(event: StoredEvent) -> int:
    """The value of the case's goods an event states: an opening's estimate, a confirmed violation's value,
    or a seizure record's total. Producers restate one value on several events (an imported row puts it on
    the opening, the violation and the seizure), so the case keeps the largest, not the sum: a maximum is
    as order-independent as a sum and counts a restated value once. A later seizure of further goods is
    counted when its record (or a violation) states the case's new total."""
    if event.event_type == "GoodsSeized":
        return sum(item.get("value_vnd") or 0 for item in event.payload.get("items", ()))
    if event.event_type in VALUE_STATED_BY:
        return int(event.payload.get("goods_value_vnd") or 0)
    return 0


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
