"""Search over a viewer's cases: one page with the total count, or every match for an export."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, FromClause, func, select

from services.store.queries.case_filter import CaseFilter, Page, conditions, ordered_page
from services.store.queries.visibility import Viewer
from services.views.visible_cases import visible_cases

EXPORT_LIMIT = 100_000


def search_cases(
    connection: Connection, viewer: Viewer, where: CaseFilter, page: Page, cases: FromClause | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The page of matching cases and how many match in all (over `cases` when already built)."""
    cases = cases if cases is not None else visible_cases(connection, viewer)
    terms = conditions(cases, where)
    count = connection.execute(select(func.count()).select_from(cases).where(*terms)).scalar_one()
    query = ordered_page(select(cases).where(*terms), cases, page)
    return [dict(row._mapping) for row in connection.execute(query)], count


def all_matching(
    connection: Connection, viewer: Viewer, where: CaseFilter, page: Page
) -> list[dict[str, Any]]:
    """Every matching case in the page's order (up to EXPORT_LIMIT), for exports."""
    rows, _ = search_cases(connection, viewer, where, Page(EXPORT_LIMIT, 0, page.sort, page.descending))
    return rows
