"""Numbers typed by clients: only ASCII digits, only a few of them, never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.ascii_number import ascii_number


def test_careless_numbers_are_none_plain_ones_are_read() -> None:
    for careless in ("²", "١", "9" * 5000, "-1", "1e3", " 2", "2\x00", "", "0x10", "1_000"):
        assert ascii_number(careless) is None, careless
    assert ascii_number("0") == 0 and ascii_number("42") == 42 and ascii_number("123456789") == 123456789
    assert ascii_number("1234567890") is None and ascii_number("1234567890", digits=10) == 1234567890


@given(st.text(max_size=30), st.integers(1, 18))
def test_any_text_is_a_number_of_ascii_digits_or_none(text: str, digits: int) -> None:
    found = ascii_number(text, digits)
    plain = text.isascii() and text.isdigit() and len(text) <= digits
    assert found == (int(text) if plain else None)
