"""The one code-list codec: what goes in comes out, `holds` finds a row by exactly its codes (on a real
SQLite table, LIKE wildcards in a code included), and a bad code is refused before it is stored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from services.store.code_list import CodeList, CodeListError, decode, encode, holds

_CODES = st.text(
    st.characters(codec="utf-8", exclude_characters=",", exclude_categories=("Cc",)), min_size=1, max_size=8
)
metadata = MetaData()
ROWS = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("codes", CodeList(400)))
engine = create_engine("sqlite://")
metadata.create_all(engine)


@given(st.lists(_CODES, max_size=6))
def test_encoding_then_decoding_gives_the_sorted_distinct_codes(codes: list[str]) -> None:
    assert decode(encode(codes)) == tuple(sorted(set(codes)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_CODES, max_size=4), min_size=1, max_size=5), _CODES)
def test_holds_finds_exactly_the_rows_carrying_a_code(lists: list[list[str]], code: str) -> None:
    with engine.begin() as connection:
        connection.execute(ROWS.delete())
        connection.execute(insert(ROWS), [{"id": i, "codes": codes} for i, codes in enumerate(lists)])
        found = {row.id for row in connection.execute(select(ROWS.c.id).where(holds(ROWS.c.codes, code)))}
        read = [row.codes for row in connection.execute(select(ROWS.c.codes).order_by(ROWS.c.id))]
    assert found == {i for i, codes in enumerate(lists) if code in codes}
    assert read == [tuple(sorted(set(codes))) for codes in lists]


@pytest.mark.parametrize("bad", [["a,b"], [""], ["qltt", ""], ["0", "\x00"], ["a\x1fb"], ["\x85"]])
def test_a_code_that_would_split_or_vanish_is_refused(bad: list[str]) -> None:
    with pytest.raises(CodeListError):
        encode(bad)


def test_an_already_encoded_string_is_refused_rather_than_spelled_letter_by_letter() -> None:
    with pytest.raises(TypeError, match="sequence of codes"):
        encode(",qltt,")
    with pytest.raises(CodeListError):
        holds(ROWS.c.codes, "a,b")


def test_the_empty_list_and_a_legacy_empty_encoding_read_as_no_codes() -> None:
    assert encode([]) == "" and decode("") == decode(",,") == decode(None) == ()
