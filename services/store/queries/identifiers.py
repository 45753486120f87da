"""Finding a seller by an identifier as people type it: phone numbers with or without +84 and separators,
tax codes with or without the branch dash, shop URLs with or without scheme, www., trailing slash or
tracking parameters (`?smtt=…`), and bare shop ids. The typed text is read by the same normalisers the
linker uses (schemas/normalisation/fields.py), so what would link a seller also finds it.

Stored identifiers are kept as published; SQL narrows the candidates, `canonical` decides.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from schemas.normalisation.fields import field_key, typed_keys
from services.store.sql_store import PROJECTIONS

IDENTIFIERS = PROJECTIONS["subject_identifiers"]
_NOT_DIGIT = re.compile(r"\D")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HANDLE = re.compile(r"^[a-z0-9._-]{2,100}$")


def canonical(kind: str, value: str) -> str:
    """The form two spellings of the same identifier share."""
    value = value.strip()
    if kind == "phone":
        digits = _NOT_DIGIT.sub("", value)
        return "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
    if kind == "tax_code":
        return _NOT_DIGIT.sub("", value)
    if kind == "shop_url":
        bare = _SCHEME.sub("", value.lower())
        return bare.removeprefix("www.").rstrip("/")
    return value.lower()


def matches(kind: str, stored: str, typed: str) -> bool:
    """Whether a stored identifier of a kind is what the user typed: the typed text read by the linker's
    own normalisers (schemas/normalisation/fields.py) gives the stored value's matching key, or, for what
    no normaliser reads, the two spellings agree loosely."""
    if not typed.strip():
        return False
    key = field_key(kind, stored)
    if key is not None:
        platforms = (key[1].partition(":")[0],) if key[0] == "shop" else ()
        if key in typed_keys(typed, platforms):
            return True
    return canonical(kind, stored) == canonical(kind, typed)


def candidate_subject_ids(connection: Connection, typed: str) -> set[str]:
    """Subjects with an identifier that may be the typed one (a superset; check with `matches`)."""
    query = select(IDENTIFIERS.c.subject_id).where(or_(*_candidates(typed))).distinct()
    return {row.subject_id for row in connection.execute(query)}


def _candidates(typed: str) -> list[ColumnElement[bool]]:
    c = IDENTIFIERS.c
    lowered = typed.strip().lower()
    found: list[ColumnElement[bool]] = [func.lower(c.value) == lowered]
    digits = canonical("phone", typed)
    if len(digits) >= 8:
        bare = _strip_separators(c.value)
        variants = {
            digits,
            _NOT_DIGIT.sub("", typed),
            "84" + digits[1:] if digits.startswith("0") else digits,
        }
        found.append(and_(c.kind.in_(["phone", "tax_code"]), bare.in_(sorted(variants))))
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
