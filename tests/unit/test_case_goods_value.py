"""The case's goods value: the largest any event states, whatever the order and batching of arrival."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consumers.case_fold import fold_case, merge_case
from consumers.projections import stored_event
from consumers.records import CaseState, StoredEvent
from schemas.events import CaseOpened, GoodsSeized, SeizedItem, ViolationConfirmed
from tests.factories import event

CASE = "VN-2025-QLTT-I000000000001"


def _opened(value: int | None) -> CaseOpened:
    return CaseOpened(
        title="t", goods="son", province_code="01", category="counterfeit", goods_value_vnd=value
    )


def _violation(value: int | None) -> ViolationConfirmed:
    from producers.citations import citation
    from tests.factories import T0

    return ViolationConfirmed(
        category="counterfeit", legal_basis=citation("counterfeit", T0), goods_value_vnd=value
    )


def _seized(*values: int | None) -> GoodsSeized:
    return GoodsSeized(
        items=tuple(SeizedItem(description="son", quantity=1, unit="thỏi", value_vnd=v) for v in values)
    )


def _stored(*payloads: object) -> list[StoredEvent]:
    return [stored_event(event(p, case_id=CASE), "t", 0, i) for i, p in enumerate(payloads)]  # type: ignore[arg-type]


def test_an_imported_row_stating_its_value_on_three_events_counts_it_once() -> None:
    events = _stored(_opened(45_000_000), _violation(45_000_000), _seized(45_000_000))
    assert fold_case(CASE, events).goods_value_vnd == 45_000_000


def test_a_case_without_a_seizure_shows_the_value_its_opening_or_violation_states() -> None:
    assert fold_case(CASE, _stored(_opened(12_500_000))).goods_value_vnd == 12_500_000
    assert fold_case(CASE, _stored(_opened(None), _violation(8_000_000))).goods_value_vnd == 8_000_000
    assert fold_case(CASE, _stored(_opened(None))).goods_value_vnd == 0


def test_a_seizure_record_totals_its_items() -> None:
    assert (
        fold_case(CASE, _stored(_opened(5_000_000), _seized(6_000_000, 4_500_000, None))).goods_value_vnd
        == 10_500_000
    )


values = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))


@given(
    opened=values,
    violation=values,
    seized=st.lists(values, min_size=1, max_size=3),
    order=st.permutations(range(3)),
    cut=st.integers(min_value=0, max_value=3),
)
def test_the_value_is_the_same_in_any_arrival_order_and_batching(
    opened: int | None, violation: int | None, seized: list[int | None], order: list[int], cut: int
) -> None:
    events = _stored(_opened(opened), _violation(violation), _seized(*seized))
    arrived = [events[i] for i in order]
    first: CaseState | None = merge_case(CASE, None, arrived[:cut]) if cut else None
    merged = merge_case(CASE, first, arrived[cut:]) if arrived[cut:] else first
    assert merged is not None
    expected = max(opened or 0, violation or 0, sum(v or 0 for v in seized))
    assert merged.goods_value_vnd == fold_case(CASE, events).goods_value_vnd == expected
