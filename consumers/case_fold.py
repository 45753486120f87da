"""The shared case record: a fold over its events whose steps commute, so arrival order cannot matter.

`merge_case(existing, new_events)` extends a stored case row with events it has not counted yet:
the stage is a maximum, fines a sum, the goods value the largest any event states, agencies a union,
first/last a min/max, and the "origin" (the earliest opening, else the earliest tip) and the latest closure
are chosen by a total order on (occurred_at, event_id). `fold_case(events)` is the same merge from nothing.

What each event contributes (its stage, fine, stated goods value, origin or closure) is declared by its
entry in consumers/event_types/, over its typed payload; this module only combines the contributions.
The goods value is the largest any event states, not the sum: producers restate one value on several
events (an imported row puts it on the opening, the violation and the seizure), and a maximum is as
order-independent as a sum while counting a restated value once. A later seizure of further goods is
counted when its record (or a violation) states the case's new total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from consumers.event_types.entry import STAGES, Origin
from consumers.event_types.registry import EventRead, entry_named
from consumers.records import CaseState, StoredEvent, built, replaced
from schemas.bounds import check_amount_total
from schemas.errors import ContractViolation
from schemas.reference import bucket_of, current_province, local_date

STUB_STATUS = "stub"


def fold_case(case_id: str, events: Sequence[StoredEvent]) -> CaseState:
    """The case row from a set of events (each counted once)."""
    return merge_case(case_id, None, events)


def merge_case(case_id: str, existing: CaseState | None, new_events: Sequence[StoredEvent]) -> CaseState:
    """`existing` (or nothing) extended with events it has not seen; the result is order-independent."""
    return merge_reads(case_id, existing, [EventRead(e) for e in new_events])


def merge_reads(case_id: str, existing: CaseState | None, read: Sequence[EventRead]) -> CaseState:
    """`merge_case` over events already read (the materializer shares them with the projections).

    Each step is what the event's entry (consumers/event_types/) declares: the stage it reaches, the
    fine it adds, the goods value it states, whether it can be the origin or the closure. One pass over
    the events and one new row (this runs for every case of every batch: no intermediate copies).
    """
    if not read:
        if existing is None:
            raise ValueError(f"case {case_id} has no events")
        return existing
    base = existing or _empty(case_id, read[0].event)
    stage = _STAGE_RANK[base.stage]
    agencies = set(base.agencies)
    fines = base.total_fines_vnd
    goods = base.goods_value_vnd
    first = base.first_event_at if existing else None
    last = base.last_event_at
    origin: EventRead | None = None
    origin_key: tuple[int, datetime, str] | None = None
    closing: EventRead | None = None
    closing_key: tuple[datetime, str] | None = None
    for r in read:
        entry, event = r.entry, r.event
        at = event.occurred_at
        if entry.stage:
            stage = max(stage, _STAGE_RANK[entry.stage])
        agencies.add(event.agency)
        if entry.fine_vnd is not None:
            fines += entry.fine_vnd(r.payload)
        goods = max(goods, entry.stated_value_vnd(r.payload) if entry.stated_value_vnd is not None else 0)
        if first is None or at < first:
            first = at
        if at > last:
            last = at
        if entry.origin is not None:
            key = (entry.origin.rank, at, event.event_id)
            if origin_key is None or key < origin_key:
                origin, origin_key = r, key
        if entry.closing_outcome is not None and (closing_key is None or (at, event.event_id) > closing_key):
            closing, closing_key = r, (at, event.event_id)
    check_amount_total("total fines", fines)  # a refused sum, never an overflow
    check_amount_total("goods value", goods)
    changes: dict[str, Any] = {
        "stage": STAGES[stage],
        "agencies": tuple(sorted(agencies)),
        "total_fines_vnd": fines,
        "goods_value_vnd": goods,
        "event_count": base.event_count + len(read),
        "first_event_at": first,
        "last_event_at": last,
    }
    if origin is not None and (base.origin_event_id is None or origin_key < _stored_origin_key(base)):  # type: ignore[operator]
        changes |= _origin_columns(origin)
    if (
        closing is not None
        and closing.entry.closing_outcome is not None
        and (
            base.closing_event_id is None or closing_key > _stored_closing_key(base)  # type: ignore[operator]
        )
    ):
        changes |= {
            "outcome": closing.entry.closing_outcome(closing.payload),
            "closed_at": closing.event.occurred_at,
            "closing_event_id": closing.event.event_id,
        }
    origin_id = changes.get("origin_event_id", base.origin_event_id)
    changes["status"] = changes["stage"] if origin_id else STUB_STATUS
    return replaced(base, changes)


_STAGE_RANK = {name: rank for rank, name in enumerate(STAGES)}
_PROVINCE_DAYS = 16_384
"""(code, day) answers kept: ~63 codes × ~260 days of openings; beyond, the least recent go."""


def _empty(case_id: str, first: StoredEvent) -> CaseState:
    """The case before its events: built without the frozen dataclass's field-by-field `__init__`
    (consumers/records.py `built`), ~¼ of a new case's fold; every field is given (`_NOTHING_YET`)."""
    return built(
        CaseState,
        {
            **_NOTHING_YET,
            "case_id": case_id,
            "first_event_at": first.occurred_at,
            "last_event_at": first.occurred_at,
        },
    )


_NOTHING_YET: dict[str, Any] = {
    "status": STUB_STATUS,
    "stage": "none",
    "title": None,
    "opened_by": None,
    "opened_at": None,
    "origin_event_id": None,
    "origin_event_type": None,
    "agencies": (),
    "province_code": None,
    "current_province_code": None,
    "category": None,
    "bucket": None,
    "channel": None,
    "platform": None,
    "goods": None,
    "total_fines_vnd": 0,
    "goods_value_vnd": 0,
    "outcome": None,
    "closed_at": None,
    "closing_event_id": None,
    "event_count": 0,
}


def _origin_columns(origin: EventRead) -> dict[str, Any]:
    """The case's description taken from its origin: the opening's details, or the tip's."""
    assert origin.entry.origin is not None  # chosen among events whose entry has an origin rule
    told: Origin = origin.entry.origin.describe(origin.payload)
    event = origin.event
    return {
        "title": told.title,
        "opened_by": event.agency,
        "opened_at": event.occurred_at,
        "origin_event_id": event.event_id,
        "origin_event_type": event.event_type,
        "province_code": told.province_code,
        "current_province_code": _current_province(told.province_code, local_date(event.occurred_at)),
        "category": told.category,
        "bucket": _bucket(told.category),
        "channel": told.channel,
        "platform": told.platform,
        "goods": told.goods,
    }


def _stored_origin_key(case: CaseState) -> tuple[object, ...]:
    return (_origin_rank(case.origin_event_type), case.opened_at, case.origin_event_id)


def _origin_rank(event_type: str | None) -> int:
    rule = entry_named(event_type).origin if event_type is not None else None
    if rule is None:
        raise ContractViolation(f"{event_type!r} cannot be the origin of a case")
    return rule.rank


def _stored_closing_key(case: CaseState) -> tuple[object, ...]:
    return (case.closed_at, case.closing_event_id)


@lru_cache(maxsize=_PROVINCE_DAYS)
def _current_province(code: str | None, on: date) -> str | None:
    """The 34-unit province a code written on `on` belongs to now (codes mean different units by date).

    Remembered by (code, day): the answer depends on nothing else (the reference data is read once per
    process), and walking a code's history through its successors cost ~¼ of a new case's fold; a batch's
    openings share few codes and days (tests/unit/test_case_fold_province_cache.py checks the answers)."""
    if not code:
        return None
    try:
        return current_province(code, on).code
    except ContractViolation:
        return None


def _bucket(category: str | None) -> str | None:
    bucket = bucket_of(category) if category else None
    return bucket.value if bucket is not None else None
