"""Cell values that a spreadsheet will never run: text starting with = + - @ tab or CR gets a leading
apostrophe (OWASP's CSV injection advice), whether it lands in a CSV opened in Excel or in an XLSX."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.reference import VIETNAM

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS = frozenset(DANGEROUS_FIRST)
"""The same characters, for `value[:1] in DANGEROUS` (each is one character, so it equals startswith)."""


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS_FIRST) else value


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; times are shown in Vietnam's time without a zone; text is defused."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).replace(tzinfo=None)
    return safe_text(str(value))
