"""Folding a case from its events: order of arrival must not matter; missing openings give stubs."""

from __future__ import annotations

import itertools

from consumers.projections import fold_case, stored_event
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
