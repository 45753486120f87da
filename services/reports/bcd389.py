"""The BCĐ 389 periodic report: cases, penalties, referrals, fines and goods value by reporting bucket and
force (lead agency), and by province, for a month, a quarter or a year — from the reader's visible cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from consumers.visibility import Viewer
from services.api.bounds import EARLIEST, LATEST
from services.store.queries.case_filter import CaseFilter
from services.views.visible_stats import visible_aggregate

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


class BadPeriod(ValueError):
    """A period that is not YYYY, YYYY-Qn or YYYY-MM."""


@dataclass(frozen=True)
class Period:
    label: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Report:
    period: Period
    generated_at: datetime
    by_bucket_and_agency: list[dict[str, Any]]
    by_bucket: list[dict[str, Any]]
    by_province: list[dict[str, Any]]
    totals: dict[str, Any]


def parse_period(text: str) -> Period:
    """'2025' (a year), '2025-Q4' (a quarter) or '2025-10' (a month)."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise BadPeriod(f"period {text!r} is not YYYY, YYYY-Qn or YYYY-MM (e.g. 2025, 2025-Q4, 2025-10)")
    year = int(found["year"])
    if not EARLIEST.year <= year <= LATEST.year:
        raise BadPeriod(f"period {text!r}: the year must be within {EARLIEST.year} … {LATEST.year}")
    if found["quarter"]:
        first_month = 3 * int(found["quarter"]) - 2
        return Period(text, date(year, first_month, 1), _month_end(year, first_month + 2))
    if found["month"]:
        month = int(found["month"])
        return Period(text, date(year, month, 1), _month_end(year, month))
    return Period(text, date(year, 1, 1), date(year, 12, 31))


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def build_report(
    connection: Connection, viewer: Viewer, where: CaseFilter, period: Period, now: datetime
) -> Report:
    """The report over the viewer's cases whose first event falls in the period (and match the filters)."""
    scoped = replace(where, date_from=period.first_day, date_to=period.last_day)
    totals = visible_aggregate(connection, viewer, scoped)[0]
    return Report(
        period=period,
        generated_at=now,
        by_bucket_and_agency=visible_aggregate(connection, viewer, scoped, ["bucket", "agency"]),
        by_bucket=visible_aggregate(connection, viewer, scoped, ["bucket"]),
        by_province=visible_aggregate(connection, viewer, scoped, ["province"]),
        totals=totals,
    )
