"""Dates as Vietnamese reports write them: day first (15/03/2025, 5-3-25, "ngày 15 tháng 3 năm 2025")."""

from __future__ import annotations

import re
from datetime import date, datetime

from producers.importers.text import fold

_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")


class DateError(ValueError):
    """The text is not a date we can read without guessing."""


def parse_date(value: object) -> date:
    """A calendar date; dd/mm/yyyy always (never mm/dd), ISO yyyy-mm-dd, or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold(str(value)).strip()
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _WORDS.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise DateError(f"không phải ngày: {value!r} (not a date; ghi dd/mm/yyyy)")
    if month > 12:
        raise DateError(
            f"tháng {month} trong {value!r}: ngày ghi trước tháng (dates are day first, dd/mm/yyyy)"
        )
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateError(f"không có ngày này: {value!r} (no such day: {exc})") from exc
