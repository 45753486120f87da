"""Finding a seller by an identifier as people type it: phone numbers in any spelling the linker reads
(schemas/normalisation/phone.phone_key is the one phone rule: +84, 0084, the trunk 0, pre-2018 mobile
prefixes, separators), tax codes with or without the branch dash, shop URLs with or without scheme,
www., trailing slash or tracking parameters (`?smtt=…`), and bare shop ids. The typed text is read by
the same normalisers the linker uses (schemas/normalisation/fields.py),
so what would link a seller also finds it.

Stored identifiers are kept as published; SQL narrows the candidates, `matches` decides.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from schemas.normalisation.fields import field_key, typed_keys
from schemas.normalisation.phone import phone_key
from services.store.sql_store import PROJECTIONS

IDENTIFIERS = PROJECTIONS["subject_identifiers"]
_NOT_DIGIT = re.compile(r"\D")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HANDLE = re.compile(r"^[a-z0-9._-]{2,100}$")
_PHONE_TAIL = 7
"""Digits every spelling of one number ends with: the 2018 renumbering rewrote the prefix (0162 → 032) and
kept the last seven; foreign numbers and landlines are longer than that."""


def canonical(kind: str, value: str) -> str:
    """The form two spellings of an identifier no normaliser reads share. Not for phones: a phone is the
    same phone only when `phone_key` says so (a loose digit comparison would find sellers the linker never
    links, and miss ones it does)."""
    value = value.strip()
    if kind == "tax_code":
        return _NOT_DIGIT.sub("", value)
    if kind == "shop_url":
        bare = _SCHEME.sub("", value.lower())
        return bare.removeprefix("www.").rstrip("/")
    return value.lower()


def matches(kind: str, stored: str, typed: str) -> bool:
    """Whether a stored identifier of a kind is what the user typed: the typed text read by the linker's
    own normalisers (schemas/normalisation/fields.py) gives the stored value's matching key, or, for what
    no normaliser reads, the two spellings agree loosely. Phones never agree loosely: two spellings are one
    phone exactly when the linker's `phone_key` says so."""
    if not typed.strip():
        return False
    key = field_key(kind, stored)
    if key is None:
        return canonical(kind, stored) == canonical(kind, typed)
    platforms = (key[1].partition(":")[0],) if key[0] == "shop" else ()
    typed_as = typed_keys(typed, platforms)
    if key in typed_as or _zalo_phone(key) in typed_as:
        return True
    return kind != "phone" and canonical(kind, stored) == canonical(kind, typed)


def _zalo_phone(key: tuple[str, str]) -> tuple[str, str] | None:
    """The linker links a zalo.me/<phone> shop to that phone (consumers/entity/keys.py): so does search."""
    kind, value = key
    return ("phone", value.removeprefix("zalo:")) if kind == "shop" and value.startswith("zalo:+") else None


def candidate_subject_ids(connection: Connection, typed: str) -> set[str]:
    """Subjects with an identifier that may be the typed one (a superset; check with `matches`)."""
    query = select(IDENTIFIERS.c.subject_id).where(or_(*_candidates(typed))).distinct()
    return {row.subject_id for row in connection.execute(query)}


def _candidates(typed: str) -> list[ColumnElement[bool]]:
    c = IDENTIFIERS.c
    lowered = typed.strip().lower()
    found: list[ColumnElement[bool]] = [func.lower(c.value) == lowered]
    phone = phone_key(typed)
    if phone is not None:  # every spelling of a number ends with its last 7 digits, whatever the separators
        tail = "%" + "%".join(phone[-_PHONE_TAIL:]) + "%"
        found.append(and_(c.kind.in_(["phone", "shop_url"]), c.value.like(tail)))
    digits = canonical("tax_code", typed)
    if len(digits) >= 8:
        found.append(and_(c.kind == "tax_code", _strip_separators(c.value) == digits))
    url = canonical("shop_url", typed)
    if "." in url or "/" in url:
        found.append(and_(c.kind == "shop_url", func.lower(c.value).contains(url, autoescape=True)))
    found.append(and_(c.kind == "shop_id", func.lower(c.value).endswith(":" + lowered, autoescape=True)))
    for handle in _shop_handles(typed):  # '?smtt=…' links and bare shop ids: look for the shop's handle
        found.append(
            and_(c.kind.in_(["shop_url", "shop_id"]), func.lower(c.value).contains(handle, autoescape=True))
        )
    return found


def _shop_handles(typed: str) -> set[str]:
    """The shop handles a typed text may name: from the shop key it normalises to, or the text itself when
    it looks like a bare shop id ('sonxinh.official', '@minhanh', '123456')."""
    handles = {
        value.partition(":")[2].removeprefix("share/")
        for kind, value in typed_keys(typed)
        if kind == "shop" and not value.startswith("website:")
    }
    bare = typed.strip().lower().removeprefix("@")
    if _HANDLE.match(bare):
        handles.add(bare)
    return {h for h in handles if len(h) >= 2}


def _strip_separators(column: Any) -> Any:
    for separator in (" ", ".", "-", "(", ")", "+"):
        column = func.replace(column, separator, "")
    return column
