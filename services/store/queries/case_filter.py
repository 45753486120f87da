"""Filters, sort orders and pages over case rows: the same for the search, exports, statistics and dossiers.

They apply to any selectable with the columns of `cases` and its folded `search_text` (a viewer's visible
cases, `services.views.visible_cases`). Dates are Vietnamese calendar dates of the case's first event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select

from schemas.reference import VIETNAM
from services.store.code_list import holds
from services.store.queries.text import fold_text, folded_pattern

_TRIGRAM = re.compile(r"[^\W_]{3}")
SORTABLE = (
    "last_event_at",
    "first_event_at",
    "total_fines_vnd",
    "goods_value_vnd",
    "event_count",
    "case_id",
    "status",
    "current_province_code",
)


@dataclass(frozen=True)
class UnitPeriod:
    """A province code as it was written while one unit carried it (e.g. 24 = Bắc Giang until 2025-06-30)."""

    code: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class CaseFilter:
    agency: str | None = None
    current_province: str | None = None
    historical_province: UnitPeriod | None = None
    category: str | None = None
    bucket: str | None = None
    status: str | None = None
    platform: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    case_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0
    sort: str = "last_event_at"
    descending: bool = True


def local_start(day: date) -> datetime:
    """The UTC moment a Vietnamese calendar day begins."""
    return datetime.combine(day, time(), tzinfo=VIETNAM)


def conditions(cases: FromClause, where: CaseFilter) -> list[ColumnElement[bool]]:
    """WHERE terms for a filter over a cases-shaped selectable."""
    c = cases.c
    found: list[ColumnElement[bool]] = []
    if where.agency:
        found.append(holds(c.agencies, where.agency))
    if where.current_province:
        found.append(c.current_province_code == where.current_province)
    if unit := where.historical_province:
        found.append(c.province_code == unit.code)
        if unit.valid_from is not None:
            found.append(c.first_event_at >= local_start(unit.valid_from))
        if unit.valid_to is not None:
            found.append(c.first_event_at < local_start(unit.valid_to + timedelta(days=1)))
    for column, value in (
        ("category", where.category),
        ("bucket", where.bucket),
        ("status", where.status),
        ("platform", where.platform),
    ):
        if value:
            found.append(c[column] == value)
    if where.date_from:
        found.append(c.first_event_at >= local_start(where.date_from))
    if where.date_to:
        found.append(c.first_event_at < local_start(where.date_to + timedelta(days=1)))
    if where.text and where.text.strip():
        found.extend(_text_terms(cases, where.text))
    if where.case_ids is not None:
        found.append(c.case_id.in_(where.case_ids))
    return found


def _text_terms(cases: FromClause, text: str) -> list[ColumnElement[bool]]:
    """Every word must appear in the case id, title or goods, diacritics or not: a plain LIKE of the folded
    word on the stored folded text (on PostgreSQL its trigram index finds the candidates, and their re-check
    reads the stored text instead of folding each row again).

    A word without three letters or digits in a row ("mỹ" in "mỹ phẩm", "áo") gives pg_trgm no trigram, so
    an index condition on it reads the whole trigram index (100 ms at 10^6 cases) to narrow nothing; it is
    matched on `search_text || ''` instead, which no index serves: a filter on the rows the other terms
    found. The match is the same LIKE on the same text."""
    terms: list[ColumnElement[bool]] = []
    for word in text.split():
        searched = cases.c.search_text if has_trigram(word) else cases.c.search_text.concat("")
        terms.append(searched.like(folded_pattern(word), escape="\\"))
    return terms


def has_trigram(word: str) -> bool:
    """Whether the folded word holds three letters or digits in a row, what pg_trgm can index."""
    return _TRIGRAM.search(fold_text(word)) is not None


def ordered_page(query: Select[Any], cases: FromClause, page: Page) -> Select[Any]:
    """Sorted (ties broken by case id) and cut to the page."""
    column = cases.c[page.sort]
    primary = column.desc().nulls_last() if page.descending else column.asc().nulls_last()
    return query.order_by(primary, cases.c.case_id).limit(page.limit).offset(page.offset)
