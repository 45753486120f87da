"""Search over a viewer's cases: one page with the total count, or every match for an export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, func, select

from consumers.visibility import Viewer
from services.store.queries.case_filter import CaseFilter, Page, conditions, ordered_page
from services.views.visible_cases import case_columns, visible_cases

EXPORT_LIMIT = 100_000
TOTAL = "matching_cases_total"


def search_cases(
    connection: Connection, viewer: Viewer, where: CaseFilter, page: Page, cases: FromClause | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The page of matching cases and how many match in all (over `cases` when already built).

    One scan gives both: the total is a window count over every match, taken before the page is cut, so
    the matches are read once, not once for a count and again for the page.
    Only a page past the last match, which has no row to carry the total, costs a separate count.
    """
    cases = cases if cases is not None else visible_cases(connection, viewer)
    terms = conditions(cases, where)
    selected = select(*case_columns(cases), func.count().over().label(TOTAL))
    query = ordered_page(selected.where(*terms), cases, page)
    rows: list[dict[str, Any]] = []
    count: int | None = None
    for row in connection.execute(query):
        found = dict(row._mapping)
        count = int(found.pop(TOTAL))
        rows.append(found)
    if count is None:
        count = (
            0
            if page.offset == 0
            else connection.execute(select(func.count()).select_from(cases).where(*terms)).scalar_one()
        )
    return rows, count


def all_matching(
    connection: Connection,
    viewer: Viewer,
    where: CaseFilter,
    page: Page,
    columns: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Every matching case in the page's order (up to EXPORT_LIMIT), for exports (no count needed);
    only the named columns when given (fewer values to fetch and convert per row)."""
    cases = visible_cases(connection, viewer)
    everything = Page(EXPORT_LIMIT, 0, page.sort, page.descending)
    selected = [cases.c[name] for name in columns] if columns else case_columns(cases)
    query = ordered_page(select(*selected).where(*conditions(cases, where)), cases, everything)
    result = connection.execute(query)
    keys = list(result.keys())
    # fetched at once and zipped with the keys read once: a mapping per row costs a key view each
    return [dict(zip(keys, row, strict=True)) for row in result.all()]
