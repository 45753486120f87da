"""Folding a case from its events: order of arrival must not matter; missing openings give stubs."""

from __future__ import annotations

import itertools

from consumers.case_fold import fold_case
from consumers.projections import stored_event
from tests.factories import opened, penalty

CASE = "VN-2025-QLTT-00007"


def _stored(*events):  # type: ignore[no-untyped-def]
    return [stored_event(e, "t", 0, i) for i, e in enumerate(events)]


def test_a_case_folds_to_the_same_record_in_every_arrival_order() -> None:
    events = _stored(
        opened(CASE, minutes=0),
        penalty(CASE, "qltt", 12_000_000, minutes=60),
        penalty(CASE, "police", 30_000_000, minutes=90),
    )
    results = {fold_case(CASE, list(order)) for order in itertools.permutations(events)}
    assert len(results) == 1
    case = results.pop()
    assert case.total_fines_vnd == 42_000_000
    assert case.agencies == ("police", "qltt")
    assert case.status == "penalized"
    assert case.opened_by == "qltt"
    assert case.event_count == 3


def test_an_event_before_the_opening_makes_a_stub_that_the_opening_completes() -> None:
    fine = _stored(penalty(CASE, "customs", 5_000_000, minutes=30))
    stub = fold_case(CASE, fine)
    assert (stub.status, stub.title, stub.total_fines_vnd) == ("stub", None, 5_000_000)
    complete = fold_case(CASE, fine + _stored(opened(CASE, minutes=0)))
    assert complete.status == "penalized"
    assert complete.title is not None
    assert complete.province_code == "01"


def _richest_demo_case() -> list:  # type: ignore[type-arg]
    from producers.demo_data import demo_events

    by_case: dict[str, list] = {}  # type: ignore[type-arg]
    for event in demo_events(cases=40):
        by_case.setdefault(event.case_id, []).append(event)
    return max(by_case.values(), key=lambda evs: len({e.event_type for e in evs}))


def test_every_projection_is_the_same_whatever_order_the_events_arrive_in() -> None:
    import random

    from consumers.projections import apply_events
    from tests.fakes import MemoryCaseStore

    events = [stored_event(e, "t", 0, i) for i, e in enumerate(_richest_demo_case())]
    assert len({e.event_type for e in events}) >= 6, "the demo's richest case exercises many event types"
    outcomes = set()
    for seed in range(12):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        store = MemoryCaseStore()
        for event in shuffled:  # one event per batch: the hardest order for a fold
            with store.transaction() as tx:
                apply_events(tx, [event])
        rows = {
            table: sorted(map(repr, by_key.items())) for table, by_key in sorted(store.state.rows.items())
        }
        outcomes.add(repr((sorted(store.state.cases.items()), sorted(store.state.subjects.items()), rows)))
    assert len(outcomes) == 1


def test_a_case_reaches_its_furthest_stage_and_totals_its_seizures() -> None:
    from schemas.events import CaseClosed, CaseOutcome, GoodsHandling, GoodsSeized, SeizedItem
    from tests.factories import event

    seized = event(
        GoodsSeized(
            items=(
                SeizedItem(description="son môi giả", quantity=120, unit="thỏi", value_vnd=6_000_000),
                SeizedItem(description="kem dưỡng giả", quantity=30, unit="hộp", value_vnd=4_500_000),
            ),
            handling=GoodsHandling.CONFISCATED,
        ),
        case_id=CASE,
    )
    closed = event(CaseClosed(outcome=CaseOutcome.PENALIZED), case_id=CASE)
    stored = _stored(opened(CASE), penalty(CASE, fine=20_000_000, minutes=5), seized, closed)
    case = fold_case(CASE, stored)
    assert (case.status, case.outcome) == ("closed", "PENALIZED")
    assert case.goods_value_vnd == 10_500_000
    assert case.bucket is not None and case.current_province_code == "01"


def test_an_old_province_code_is_mapped_to_its_2025_successor_by_the_opening_date() -> None:
    from datetime import UTC, datetime

    before_merger = opened(CASE, province_code="27").model_copy(
        update={"occurred_at": datetime(2024, 5, 2, tzinfo=UTC)}
    )
    case = fold_case(CASE, _stored(before_merger))
    assert (case.province_code, case.current_province_code) == ("27", "24")


def test_merging_new_events_into_a_folded_case_equals_folding_them_all_at_once() -> None:
    import random

    from consumers.case_fold import merge_case

    events = [stored_event(e, "t", 0, i) for i, e in enumerate(_richest_demo_case())]
    case_id = events[0].case_id
    whole = fold_case(case_id, events)
    rng = random.Random(5)
    for _ in range(20):
        shuffled = events[:]
        rng.shuffle(shuffled)
        cut = rng.randrange(1, len(events))
        assert merge_case(case_id, fold_case(case_id, shuffled[:cut]), shuffled[cut:]) == whole
