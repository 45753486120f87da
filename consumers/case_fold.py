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
from dataclasses import replace
from datetime import date

from consumers.event_types.entry import STAGES, Origin
from consumers.event_types.registry import EventRead, entry_named
from consumers.records import CaseState, StoredEvent
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
    fine it adds, the goods value it states, whether it can be the origin or the closure.
    """
    if not read:
        if existing is None:
            raise ValueError(f"case {case_id} has no events")
        return existing
    new_events = [r.event for r in read]
    base = existing or _empty(case_id, new_events[0])
    origin = min((r for r in read if r.entry.origin is not None), key=_origin_key, default=None)
    closing = max((r for r in read if r.entry.closing_outcome is not None), key=_key, default=None)
    stage = max([STAGES.index(base.stage), *(STAGES.index(r.entry.stage) for r in read if r.entry.stage)])
    merged = replace(
        base,
        stage=STAGES[stage],
        agencies=tuple(sorted(set(base.agencies) | {e.agency for e in new_events})),
        total_fines_vnd=base.total_fines_vnd + sum(_fine(r) for r in read),
        goods_value_vnd=max([base.goods_value_vnd, *(_stated_value(r) for r in read)]),
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
    if (
        closing is not None
        and closing.entry.closing_outcome is not None
        and (merged.closing_event_id is None or _key(closing) > _stored_closing_key(merged))
    ):
        merged = replace(
            merged,
            outcome=closing.entry.closing_outcome(closing.payload),
            closed_at=closing.event.occurred_at,
            closing_event_id=closing.event.event_id,
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


def _with_origin(case: CaseState, origin: EventRead) -> CaseState:
    """Take the case's description from its origin: the opening's details, or the tip's."""
    assert origin.entry.origin is not None  # chosen among events whose entry has an origin rule
    told: Origin = origin.entry.origin.describe(origin.payload)
    event = origin.event
    return replace(
        case,
        title=told.title,
        opened_by=event.agency,
        opened_at=event.occurred_at,
        origin_event_id=event.event_id,
        origin_event_type=event.event_type,
        province_code=told.province_code,
        current_province_code=_current_province(told.province_code, local_date(event.occurred_at)),
        category=told.category,
        bucket=_bucket(told.category),
        channel=told.channel,
        platform=told.platform,
        goods=told.goods,
    )


def _fine(read: EventRead) -> int:
    fine = read.entry.fine_vnd
    return fine(read.payload) if fine is not None else 0


def _stated_value(read: EventRead) -> int:
    stated = read.entry.stated_value_vnd
    return stated(read.payload) if stated is not None else 0


def _key(read: EventRead) -> tuple[object, ...]:
    return (read.event.occurred_at, read.event.event_id)


def _origin_key(read: EventRead) -> tuple[object, ...]:
    return (_origin_rank(read.event.event_type), read.event.occurred_at, read.event.event_id)


def _stored_origin_key(case: CaseState) -> tuple[object, ...]:
    return (_origin_rank(case.origin_event_type), case.opened_at, case.origin_event_id)


def _origin_rank(event_type: str | None) -> int:
    rule = entry_named(event_type).origin if event_type is not None else None
    if rule is None:
        raise ContractViolation(f"{event_type!r} cannot be the origin of a case")
    return rule.rank


def _stored_closing_key(case: CaseState) -> tuple[object, ...]:
    return (case.closed_at, case.closing_event_id)


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
