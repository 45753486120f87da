"""The bounds of every request parameter, in one place: what the store, the calendar and the database can
hold, so an edge value (an offset past 2^63, year 1 or 9999, a 60,000-character query) is a 422 that says
which bound it broke, never a 500 from deep in SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

MAX_OFFSET = 1_000_000
"""Paging deeper than this is a bulk read: use filters, or the export."""
MAX_TEXT = 200
"""Words of a query, a name, an identifier, an id: longer is never a real search (and blows LIKE up)."""
NO_NUL = r"^[^\x00]*$"
"""Free text may hold anything but NUL, which PostgreSQL's text cannot (a 500 from the driver otherwise)."""
EARLIEST = date(1990, 1, 1)
"""No case of the hub's agencies is older (the market surveillance force dates from 1995)."""
LATEST = date(2100, 12, 31)
"""Embargoes and plans reach into the future, not this far."""
EARLIEST_AT = datetime(EARLIEST.year, 1, 1, tzinfo=UTC)
LATEST_AT = datetime(LATEST.year, 12, 31, 23, 59, 59, tzinfo=UTC)


def date_out_of_range(name: str, value: date | None) -> str | None:
    """A message when a date parameter is outside [EARLIEST, LATEST], else None."""
    if value is None or EARLIEST <= value <= LATEST:
        return None
    return f"{name} {value} is outside {EARLIEST} … {LATEST}"


def moment_out_of_range(name: str, value: datetime | None) -> str | None:
    """The same for a date-time (naive ones are read as UTC)."""
    if value is None:
        return None
    return date_out_of_range(name, value.date())
