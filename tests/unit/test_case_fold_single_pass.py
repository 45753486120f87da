"""The single-pass case merge (issue 17) against the merge it replaced, kept here verbatim as the oracle:
the same case row for simulated histories cut into batches at random, merged onto what earlier batches
stored, as the materializer does."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.case_fold import (
    STUB_STATUS,
    _empty,
    _origin_columns,
    _stored_closing_key,
    _stored_origin_key,
    merge_reads,
)
from consumers.event_types.entry import STAGES
from consumers.event_types.registry import EventRead
from consumers.projections import stored_event
from consumers.records import CaseState, StoredEvent
from producers.simulator.simulation import simulate_events
from schemas.bounds import check_amount_total


def _previous_merge(case_id: str, existing: CaseState | None, read: list[EventRead]) -> CaseState:
    """The merge before the single pass (git e533a36, consumers/case_fold.py), unchanged but inlined."""

    def fine(r: EventRead) -> int:
        return r.entry.fine_vnd(r.payload) if r.entry.fine_vnd is not None else 0

    def stated(r: EventRead) -> int:
        return r.entry.stated_value_vnd(r.payload) if r.entry.stated_value_vnd is not None else 0

    def key(r: EventRead) -> tuple[object, ...]:
        return (r.event.occurred_at, r.event.event_id)

    def origin_key(r: EventRead) -> tuple[object, ...]:
        assert r.entry.origin is not None
        return (r.entry.origin.rank, r.event.occurred_at, r.event.event_id)

    new_events = [r.event for r in read]
    base = existing or _empty(case_id, new_events[0])
    origin = min((r for r in read if r.entry.origin is not None), key=origin_key, default=None)
    closing = max((r for r in read if r.entry.closing_outcome is not None), key=key, default=None)
    stage = max([STAGES.index(base.stage), *(STAGES.index(r.entry.stage) for r in read if r.entry.stage)])
    merged = replace(
        base,
        stage=STAGES[stage],
        agencies=tuple(sorted(set(base.agencies) | {e.agency for e in new_events})),
        total_fines_vnd=base.total_fines_vnd + sum(fine(r) for r in read),
        goods_value_vnd=max([base.goods_value_vnd, *(stated(r) for r in read)]),
        event_count=base.event_count + len(new_events),
        first_event_at=min([base.first_event_at, *(e.occurred_at for e in new_events)])
        if existing
        else min(e.occurred_at for e in new_events),
        last_event_at=max([base.last_event_at, *(e.occurred_at for e in new_events)]),
    )
    check_amount_total("total fines", merged.total_fines_vnd)
    check_amount_total("goods value", merged.goods_value_vnd)
    if origin is not None and (
        merged.origin_event_id is None or origin_key(origin) < _stored_origin_key(merged)
    ):
        merged = replace(merged, **_origin_columns(origin))
    if (
        closing is not None
        and closing.entry.closing_outcome is not None
        and (merged.closing_event_id is None or key(closing) > _stored_closing_key(merged))
    ):
        merged = replace(
            merged,
            outcome=closing.entry.closing_outcome(closing.payload),
            closed_at=closing.event.occurred_at,
            closing_event_id=closing.event.event_id,
        )
    return replace(merged, status=merged.stage if merged.origin_event_id else STUB_STATUS)


def _histories() -> dict[str, list[StoredEvent]]:
    """Simulated cases, each opening and closing restated by a second event a day apart (another agency
    re-reporting), so the origin and the closure are chosen among several."""
    by_case: dict[str, list[StoredEvent]] = defaultdict(list)
    for offset, e in enumerate(simulate_events(1500, seed=17)):
        stored = stored_event(e, "t", 0, offset)
        by_case[e.case_id].append(stored)
        shift = {"CaseOpened": -1, "TipReceived": 1, "CaseClosed": 1}.get(e.event_type)
        if shift is not None:
            again = replace(
                stored,
                event_id=str(uuid.UUID(int=offset + 1)),
                occurred_at=stored.occurred_at + timedelta(days=shift * (1 + offset % 2)),
            )
            by_case[e.case_id].append(again)
    return dict(by_case)


HISTORIES = _histories()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_single_pass_merge_stores_what_the_previous_merge_stored(data: st.DataObject) -> None:
    for case_id, events in list(HISTORIES.items())[:40]:
        shuffled = data.draw(st.permutations(events))
        cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(events) - 1)), max_size=3)))
        batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(events)], strict=True) if a < b]
        now: CaseState | None = None
        before: CaseState | None = None
        for batch in batches:
            now = merge_reads(case_id, now, [EventRead(e) for e in batch])
            before = _previous_merge(case_id, before, [EventRead(e) for e in batch])
            assert now == before


def test_the_histories_cover_every_step_of_the_fold() -> None:
    """The oracle test means something only if the histories open, close, fine and state values."""
    kinds = {e.event_type for events in HISTORIES.values() for e in events}
    assert {"CaseOpened", "CaseClosed", "PenaltyDecided", "GoodsSeized", "TipReceived"} <= kinds
    assert sum(len(v) > 3 for v in HISTORIES.values()) >= 20
