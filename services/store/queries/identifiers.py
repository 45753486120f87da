"""Finding a seller by an identifier as people type it: phone numbers with or without +84 and separators,
tax codes with or without the branch dash, shop URLs with or without scheme, www. or trailing slash.

Stored identifiers are kept as published; SQL narrows the candidates, `canonical` decides.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from services.store.sql_store import PROJECTIONS

IDENTIFIERS = PROJECTIONS["subject_identifiers"]
_NOT_DIGIT = re.compile(r"\D")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


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
    """Whether a stored identifier of a kind is what the user typed."""
    return bool(typed.strip()) and canonical(kind, stored) == canonical(kind, typed)


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
    return found


def _strip_separators(column: Any) -> Any:
    for separator in (" ", ".", "-", "(", ")", "+"):
        column = func.replace(column, separator, "")
    return column
