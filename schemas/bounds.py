"""Bounds every value of the contract keeps, so whatever the contract accepts, every store accepts.

A database refuses what its columns cannot hold (a NUL in PostgreSQL text, a string longer than its
column, an amount beyond a 64-bit integer, an index entry beyond a page) while another may take it; a
bound checked here, before anything is written, makes both stores agree and gives the sender a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic_core import PydanticCustomError

LINE_MAX = 500
"""Names, titles, addresses, units: one line. 500 characters of 4-byte UTF-8 fit a B-tree index entry."""
PROSE_MAX = 10_000
"""Summaries, descriptions, notes, reasons: several lines (tab, LF and CR allowed)."""
IDENTIFIER_MAX = 128
"""Record numbers, references, subject ids: the width of the store's identifier columns."""
KEY_MAX_CHARS = 500
"""A matching key (a folded name or address, a shop key) fits the stores' 512-character key columns,
however a normaliser expanded it (abbreviations, compatibility characters such as 'ﬃ')."""
MAX_VND = 10**15
"""One amount (a fine, a value): a million billion dong, far above any decision; totals of millions of
such amounts still fit the store's 64-bit integers."""
MAX_QUANTITY = 10**12
"""Units of one seized item: far above any seizure, and small enough that every store keeps the number as
given (PostgreSQL's jsonb rewrites a float like 1e308 as a 309-digit integer; SQLite keeps the float)."""
MAX_CASE_TOTAL_VND = 10**15
"""A case's total fines or goods value (checked when the case is folded)."""
RECORDS_BEGIN = datetime(2000, 1, 1, tzinfo=UTC)
"""Nothing the hub records happened before this (agencies' digital case records start later)."""
RECORDS_END = datetime(2100, 1, 1, tzinfo=UTC)
"""No date of the contract (deadlines and embargoes included) lies beyond this."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the receiver's clock a sender's clock may be before an event is 'in the future'."""

_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_PROSE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_URL_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:-]*")


def _bounded(limit: int, forbidden: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > limit:
            raise PydanticCustomError(
                "text_too_long",
                "{what} is {length} characters long; at most {limit} are allowed",
                {"what": what, "length": f"{len(value):,}", "limit": f"{limit:,}"},
            )
        if (bad := forbidden.search(value)) is not None:
            raise _control_character(what, bad)
        return value

    return check


def _control_character(what: str, bad: re.Match[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "control_character",
        "{what} contains the control character {character} at position {position}",
        {"what": what, "character": f"U+{ord(bad.group()):04X}", "position": bad.start()},
    )


check_line = _bounded(LINE_MAX, _LINE_FORBIDDEN, "text")


def line_refusal(value: str) -> str | None:
    """Why `value` is no one-line text (too long, a control character), or None: check_line's verdict
    for callers outside a pydantic model."""
    try:
        check_line(value)
    except PydanticCustomError as refused:
        return str(refused)
    return None


check_prose = _bounded(PROSE_MAX, _PROSE_FORBIDDEN, "text")
check_identifier = _bounded(IDENTIFIER_MAX, _LINE_FORBIDDEN, "identifier")


URL_MAX_BYTES = 2_000
"""A link, as UTF-8: short enough for a B-tree index entry (2,704 bytes) with its kind beside it."""


def check_url(value: str) -> str:
    if (size := len(value.encode("utf-8", "surrogatepass"))) > URL_MAX_BYTES:
        raise PydanticCustomError(
            "link_too_long",
            "link is {size} bytes long in UTF-8; at most {limit} are allowed",
            {"size": f"{size:,}", "limit": f"{URL_MAX_BYTES:,}"},
        )
    if (bad := _LINE_FORBIDDEN.search(value)) is not None:
        raise _control_character("link", bad)
    return value


def is_url_safe_id(value: str, max_length: int = IDENTIFIER_MAX) -> bool:
    """Whether `value` could be a case or subject id at all (a lookup of anything else finds nothing, and
    never reaches a database that refuses NUL in a query)."""
    return 0 < len(value) <= max_length and _URL_SAFE_ID.fullmatch(value) is not None


def check_url_safe_id(value: str) -> str:
    """Case and subject ids appear in page and API paths: letters, digits and `. _ ~ : -` only."""
    if not _URL_SAFE_ID.fullmatch(value):
        raise PydanticCustomError(
            "id_not_link_safe",
            "id {shown} may hold only letters A-Z a-z, digits and . _ ~ : - (starting with a letter or "
            "digit), so that it can be used in a link",
            {"shown": repr(value[:80])},
        )
    return value


def check_date(value: datetime) -> datetime:
    if not RECORDS_BEGIN <= value < RECORDS_END:
        raise PydanticCustomError(
            "date_out_of_range",
            "{day} is outside the dates the hub records ({first} to {end})",
            {
                "day": f"{value:%Y-%m-%d}",
                "first": f"{RECORDS_BEGIN:%Y-%m-%d}",
                "end": f"{RECORDS_END:%Y-%m-%d}",
            },
        )
    return value


def check_amount_total(name: str, total: int) -> int:
    """A case total stays within MAX_CASE_TOTAL_VND (sums are checked, never left to overflow)."""
    if total > MAX_CASE_TOTAL_VND:
        raise ValueError(
            f"the case's {name} would reach {total:,} VND, above the {MAX_CASE_TOTAL_VND:,} VND bound"
        )
    return total
