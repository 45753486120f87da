"""One phone rule: every spelling the entity linker links is found by the seller search, and the search finds
nothing the linker would not link (issue 16, point 7). The search runs its real SQL on a real SQLite table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, insert

from consumers.entity.keys import MatchKey, keys_of
from consumers.event_types.subject_identified import identifier_row
from schemas.normalisation.phone import RENUMBERED_2018, phone_key
from services.store.queries.identifiers import IDENTIFIERS, candidate_subject_ids, matches

_OLD_PREFIX = {new: old for old, new in RENUMBERED_2018.items()}
_SEPARATORS = " .-()/_"


@pytest.fixture(scope="module")
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    IDENTIFIERS.create(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@st.composite
def national_numbers(draw: st.DrawFn) -> str:
    """A Vietnamese significant number: a 9-digit mobile or a 10-digit landline, not one repeated digit."""
    if draw(st.booleans()):
        number = draw(st.sampled_from("35789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    else:
        number = "2" + draw(st.text("0123456789", min_size=9, max_size=9))
    return number if len(set(number[1:])) > 1 else number[:-1] + ("1" if number[-1] != "1" else "2")


@st.composite
def spellings(draw: st.DrawFn, national: str) -> str:
    """How a clerk or a spreadsheet may write the number: prefixes, pre-2018 mobile prefixes, separators."""
    forms = ["0" + national, "+84" + national, "84" + national, "0084" + national, "+84 0" + national]
    if len(national) == 9:
        forms.append(national)  # a spreadsheet ate the leading 0
        if national[:2] in _OLD_PREFIX:
            forms.append("0" + _OLD_PREFIX[national[:2]] + national[2:])
    form = draw(st.sampled_from(forms))
    cuts = draw(st.lists(st.integers(1, len(form) - 1), max_size=4, unique=True))
    for cut in sorted(cuts, reverse=True):
        form = form[:cut] + draw(st.sampled_from(_SEPARATORS)) + form[cut:]
    return form


def _search_finds(connection: Connection, stored: str, typed: str, kind: str = "phone") -> bool:
    """The seller search as services/views/subjects.find_by_identifier runs it: SQL, then `matches`."""
    with connection.begin() as transaction:
        connection.execute(insert(IDENTIFIERS).values(identifier_row("S1", kind, stored)))
        found = "S1" in candidate_subject_ids(connection, typed) and matches(kind, stored, typed)
        transaction.rollback()
    return found


def _linked(a: str, b: str) -> bool:
    """Would the linker join two sellers carrying these phones? They share a strong phone key."""
    keys_a = {key for key, _ in keys_of({"phone": a})}
    return any(key.kind == "phone" and key in keys_a for key, _ in keys_of({"phone": b}))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), national=national_numbers())
def test_every_spelling_the_linker_links_is_found_by_search(
    connection: Connection, data: st.DataObject, national: str
) -> None:
    stored, typed = data.draw(spellings(national)), data.draw(spellings(national))
    assert _linked(stored, typed), (stored, typed)
    assert _search_finds(connection, stored, typed), (stored, typed)


_PHONEISH = st.text("0123456789+ .-()/_", min_size=1, max_size=20)


@settings(max_examples=300, deadline=None)
@given(stored=_PHONEISH, typed=_PHONEISH)
def test_search_finds_a_phone_only_where_the_linker_links_or_the_text_is_the_same(
    connection: Connection, stored: str, typed: str
) -> None:
    if _search_finds(connection, stored, typed):
        assert _linked(stored, typed) or stored.strip() == typed.strip(), (stored, typed)
    if _linked(stored, typed):
        assert _search_finds(connection, stored, typed), (stored, typed)


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("01623456789", "0323 456 789"),  # pre-2018 Viettel prefix
        ("912345678", "+84 912 345 678"),  # the spreadsheet's missing 0
        ("0084 912 345 678", "0912345678"),
        ("+84 0912.345.678", "84912345678"),
        ("(028) 3800 1234", "+842838001234"),
    ],
)
def test_spellings_the_old_local_form_missed_are_found(
    connection: Connection, stored: str, typed: str
) -> None:
    assert _search_finds(connection, stored, typed)


def test_a_zalo_shop_is_found_by_its_phone_as_the_linker_links_it(connection: Connection) -> None:
    assert MatchKey("phone", "+84912345678") in {
        key for key, _ in keys_of({"shop_url": "zalo.me/0912345678"})
    }
    assert _search_finds(connection, "https://zalo.me/0912345678", "+84 912 345 678", kind="shop_url")


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("0912345678", "0912345679"), ("0912345678", "   "), ("19001234", "1900 1235"), ("0912345678", "912")],
)
def test_different_numbers_are_not_found(connection: Connection, stored: str, typed: str) -> None:
    assert not _search_finds(connection, stored, typed)


def test_the_phone_key_is_the_one_rule_the_search_and_linker_share() -> None:
    assert phone_key("+84 912.345.678") == phone_key("0912345678") == "+84912345678"
