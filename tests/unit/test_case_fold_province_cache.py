"""The case fold remembers each (code, day)'s current province (consumers/case_fold.py): its answers
against the reference lookup itself, for every known code, unknown and empty codes, and days across the
2025 reorganisation, asked in any order and repeatedly (a remembered answer must not leak to another
key)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from consumers.case_fold import _current_province
from schemas.reference.provinces import _history

_reference = _current_province.__wrapped__
"""The same walk without the cache: the reference data's own answer for each ask."""


_codes = st.one_of(
    st.sampled_from(sorted(_history())), st.sampled_from(["", "00", "999", "7\x00", "x" * 100]), st.none()
)
_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


@given(st.lists(st.tuples(_codes, _days), min_size=1, max_size=40))
def test_remembered_answers_are_the_reference_answers(asked: list[tuple[str | None, date]]) -> None:
    for code, day in [*asked, *reversed(asked)]:
        assert _current_province(code, day) == _reference(code, day)


def test_a_retired_code_maps_to_its_successor_and_unknown_codes_to_nothing() -> None:
    """Spot checks that the property above compares something real: 77 (Bà Rịa-Vũng Tàu) was merged
    into 79 (Ho Chi Minh City) in 2025; an unknown code has no province."""
    assert _current_province("77", date(2024, 1, 1)) == "79"
    assert _current_province("999", date(2024, 1, 1)) is None
