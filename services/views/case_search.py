"""Search over a viewer's cases: one page with the total count, or every match for an export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, func, select

from consumers.visibility import Viewer
from services.store.queries.case_filter import CaseFilter, Page, conditions, ordered_page
from services.views.visible_cases import case_columns, visible_cases

EXPORT_LIMIT = 100_000
"""Cases one export may hold: ~50 s of openpyxl for an XLSX on this machine; a larger one is refused
with the count to narrow, never cut short without a word."""
TOTAL = "matching_cases_total"


class TooManyToExport(ValueError):
    """More cases match than one export holds."""

    def __init__(self, limit: int) -> None:
        vietnamese = f"{limit:,}".replace(",", ".")
        super().__init__(
            f"hơn {vietnamese} vụ việc khớp bộ lọc; hãy thu hẹp bộ lọc (thời gian, tỉnh, cơ quan) "
            "rồi xuất lại "
            f"(more than {limit:,} cases match; narrow the filter and export again)"
        )


def search_cases(
    connection: Connection, viewer: Viewer, where: CaseFilter, page: Page, cases: FromClause | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The page of matching cases and how many match in all (over `cases` when already built).

    Two statements. The first finds the page's case ids and the total: a window count over every match,
    taken before the page is cut, so the matches are read once, and only the id and the sort key of each
    match go through the count and the sort (at 10^6 cases a common word matches ~28,000 cases of a big
    province; carrying every column of each through the window spilled 10 MB to disk per request). The
    second reads the page's rows by id (an index probe in each branch of the visible cases). A case id
    is unique among a viewer's visible cases, and a row that stopped being visible in between (a case
    restricted meanwhile) is left out, never shown from the first statement's view.
    Only a page past the last match, which has no row to carry the total, costs a separate count.
    """
    cases = cases if cases is not None else visible_cases(connection, viewer)
    terms = conditions(cases, where)
    keys = select(cases.c.case_id, func.count().over().label(TOTAL)).where(*terms)
    found = connection.execute(ordered_page(keys, cases, page)).all()
    if not found:
        count = (
            0
            if page.offset == 0
            else connection.execute(select(func.count()).select_from(cases).where(*terms)).scalar_one()
        )
        return [], count
    ids = [row.case_id for row in found]
    read = select(*case_columns(cases)).where(cases.c.case_id.in_(ids))
    by_id = {row.case_id: dict(row._mapping) for row in connection.execute(read)}
    return [by_id[case_id] for case_id in ids if case_id in by_id], int(found[0][1])


def all_matching(
    connection: Connection,
    viewer: Viewer,
    where: CaseFilter,
    page: Page,
    columns: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Every matching case in the page's order, for exports (no count needed); only the named columns when
    given (fewer values to fetch and convert per row). TooManyToExport when more than EXPORT_LIMIT match:
    the export used to stop at the limit and say nothing."""
    cases = visible_cases(connection, viewer)
    everything = Page(EXPORT_LIMIT + 1, 0, page.sort, page.descending)
    selected = [cases.c[name] for name in columns] if columns else case_columns(cases)
    query = ordered_page(select(*selected).where(*conditions(cases, where)), cases, everything)
    result = connection.execute(query)
    keys = list(result.keys())
    # fetched at once and zipped with the keys read once: a mapping per row costs a key view each
    rows = result.all()
    if len(rows) > EXPORT_LIMIT:
        raise TooManyToExport(EXPORT_LIMIT)
    return [dict(zip(keys, row, strict=True)) for row in rows]
