"""The seller search's index lookup never misses what `matches` accepts: for any stored identifier and any
typed text, `matches(kind, stored, typed)` implies the stored row's matching key or loose key is among the
keys `typed_lookup(typed)` looks up (schemas/normalisation/identifier_keys.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.event_types.subject_identified import identifier_row
from schemas.bounds import KEY_MAX_CHARS
from schemas.normalisation.identifier_keys import IDENTIFIER_KINDS, stored_keys, typed_lookup
from services.store.queries.identifiers import matches

_PLATFORMS = ["shopee", "lazada", "tiktok", "facebook", "instagram", "zalo", "tiki", "sendo", "telegram"]
_HANDLES = st.from_regex(r"[a-z0-9][a-z0-9._]{1,14}", fullmatch=True)
_DIGITS = st.text("0123456789", min_size=9, max_size=10)


@st.composite
def identifiers(draw: st.DrawFn) -> tuple[str, str, str]:
    """(kind, value as stored, text a user may type for it): spellings the normalisers read, and noise."""
    shape = draw(st.sampled_from(["phone", "shop_url", "shop_id", "zalo", "tax_code", "other", "noise"]))
    if shape == "phone":
        number = draw(_DIGITS)
        stored = draw(st.sampled_from(["0", "+84", "84 ", "0084"])) + number
        typed = draw(st.sampled_from(["0", "+84", "+84 0", ""])) + " ".join(
            [number[:3], number[3:6], number[6:]]
        )
        return "phone", stored, typed
    if shape == "shop_url":
        handle = draw(_HANDLES)
        host = draw(
            st.sampled_from(["shopee.vn", "www.lazada.vn/shop", "m.facebook.com", "tiktok.com/@", "x.vn"])
        )
        stored = f"https://{host}/{handle}".replace("/@/", "/@")
        typed = draw(st.sampled_from([stored, stored + "?smtt=0.1", handle, "@" + handle, stored.upper()]))
        return "shop_url", stored, typed
    if shape == "shop_id":
        platform, handle = draw(st.sampled_from(_PLATFORMS)), draw(_HANDLES)
        typed = draw(st.sampled_from([handle, "@" + handle, handle.upper(), handle.replace(".", "")]))
        return "shop_id", f"{platform}:{handle}", typed
    if shape == "zalo":
        number = draw(_DIGITS)
        return "shop_url", f"https://zalo.me/0{number[:9]}", f"0{number[:9]}"
    if shape == "tax_code":
        digits = draw(st.text("0123456789", min_size=10, max_size=10))
        branch = draw(st.sampled_from(["", "-001"]))
        return "tax_code", digits + branch, draw(st.sampled_from([digits + branch, f" {digits}{branch} "]))
    kind = draw(st.sampled_from(IDENTIFIER_KINDS))
    stored = draw(st.text(min_size=1, max_size=40))
    if shape == "other":
        return kind, stored, draw(st.sampled_from([stored, stored.upper(), f"  {stored.lower()} "]))
    return kind, stored, draw(st.text(max_size=40))


@settings(max_examples=400, deadline=None)
@given(identifiers())
def test_what_matches_accepts_the_lookup_finds(identifier: tuple[str, str, str]) -> None:
    kind, stored, typed = identifier
    match_key, loose_key = stored_keys(kind, stored)
    matching, loose = typed_lookup(typed)
    if matches(kind, stored, typed):
        assert match_key in matching or loose_key in loose, (kind, stored, typed, match_key, loose_key)


@pytest.mark.parametrize(
    ("kind", "stored", "typed"),
    [
        ("phone", "0912 345 678", "+84912345678"),
        ("shop_url", "https://zalo.me/0912345678", "0912.345.678"),
        ("shop_id", "facebook:son.xinh", "sonxinh"),
        ("shop_url", "https://shopee.vn/sonxinh.official?smtt=0", "sonxinh.official"),
        ("tax_code", "0101625009-001", "0101625009001"),
        ("address", "Số 1 Hai Bà Trưng", "số 1 hai bà trưng"),
    ],
)
def test_spellings_people_type_are_looked_up_by_a_key_of_the_row(kind: str, stored: str, typed: str) -> None:
    assert matches(kind, stored, typed)  # the search accepts them ...
    match_key, loose_key = stored_keys(kind, stored)
    matching, loose = typed_lookup(typed)
    assert match_key in matching or loose_key in loose  # ... and its index lookup finds them


def test_a_blank_text_looks_nothing_up() -> None:
    assert typed_lookup(" \t ") == (set(), set())


def test_keys_are_bounded_whatever_the_value() -> None:
    """An index entry has a size limit: a huge value (lower() may lengthen it) still gives bounded keys."""
    row = identifier_row("S1", "address", "İ" * 512)
    assert row["loose_key"] is not None and len(row["loose_key"]) <= len("address:") + 500
    assert row["match_key"] is None or len(row["match_key"]) <= len("address:") + 500


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(IDENTIFIER_KINDS), st.text(max_size=512), st.text(max_size=600))
def test_any_value_gets_bounded_keys_and_any_text_a_lookup(kind: str, value: str, typed: str) -> None:
    """A writer computing a row's keys must never refuse the event: any text (control characters, huge,
    letters that lengthen when lower-cased) gives keys within an index entry's bounds, and any typed text
    a lookup."""
    match_key, loose_key = stored_keys(kind, value)
    assert loose_key.startswith(f"{kind}:") and len(loose_key) <= len(kind) + 1 + KEY_MAX_CHARS
    assert match_key is None or len(match_key) <= len("bank_account:") + KEY_MAX_CHARS
    matching, loose = typed_lookup(typed)
    assert all(len(key) <= len("bank_account_hash:") + KEY_MAX_CHARS for key in matching | loose)
