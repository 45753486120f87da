"""A viewer's case rows: the shared row where everyone sees every event, their audience's view otherwise.

Most cases are shared with every agency; for them the materialized `cases` row is exact. A case with a
restricted event has one row per audience in `case_audience_views`, folded by the materializer from the
events that audience may see, so its status, agencies and totals never reflect what is hidden, and a case
known only through hidden events has no row for the viewer. Only a case whose embargo has ended since its
views were written is refolded here, from its visible events, with the materializer's own fold. The result
is one selectable with the columns of `cases`, so search, export, statistics and dossiers use it alike,
plus `search_text` (the folded id, title and goods that search matches: kept on both tables, migrations
0009 and 0015, and folded here for refolded rows), which `case_columns` leaves out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    FromClause,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    exists,
    select,
    union_all,
)

from consumers.audience_views import PUBLIC_AUDIENCE
from consumers.case_fold import fold_case
from consumers.records import CaseState, StoredEvent
from consumers.visibility import Viewer
from services.store.audience_tables import CASE_AUDIENCE_VIEWS, RESTRICTED_CASES
from services.store.queries.text import search_text
from services.store.queries.visibility import visible_event
from services.store.sql_store import CASES, EVENTS

EVENT_COLUMNS = [EVENTS.c[name] for name in StoredEvent.__dataclass_fields__]
CASE_COLUMNS = [c.name for c in CASES.c]
SEARCH_TEXT = "search_text"


def _read_side(table: Table) -> Table:
    """The table as it is read here: its columns and the generated `search_text`, which is not in the
    writers' metadata (so no INSERT or ON CONFLICT … SET ever names it)."""
    return Table(table.name, MetaData(), *(c._copy() for c in table.c), Column(SEARCH_TEXT, Text))


_CASES = _read_side(CASES)
_VIEWS = _read_side(CASE_AUDIENCE_VIEWS)
PARTIAL = Table(
    "viewer_folded_cases",
    MetaData(),
    Column("viewer_key", String(200), index=True),
    *(Column(c.name, c.type) for c in CASES.c),
    Column(SEARCH_TEXT, Text),
    prefixes=["TEMPORARY"],
)


def case_columns(cases: FromClause) -> list[Any]:
    """The columns of `cases` in a visible-cases selectable (what a reader gets, without `search_text`)."""
    return [cases.c[name] for name in CASE_COLUMNS]


def visible_cases(connection: Connection, viewer: Viewer) -> FromClause:
    """The cases this viewer may see, each as the viewer sees it, within their province scope."""
    shared: Select[Any] = select(*_CASES.c).where(
        ~exists().where(RESTRICTED_CASES.c.case_id == _CASES.c.case_id)
    )
    viewed = audience_views(viewer, fresh=True)
    if viewer.provinces:
        shared = shared.where(_CASES.c.current_province_code.in_(sorted(viewer.provinces)))
    folded = refolded_cases(connection, viewer)
    if folded is None:
        return union_all(shared, viewed).subquery("visible_cases")
    return union_all(shared, viewed, folded).subquery("visible_cases")


def audience_views(viewer: Viewer, fresh: bool) -> Select[Any]:
    """The viewer's audience rows (in scope) of restricted cases whose views are exact (`fresh`), or of
    those whose embargo ended since their views were written (which are refolded on the request).

    The writer puts a case's views and its `restricted_cases` mark in one transaction
    (`put_audience_views`), so every view row has a mark, and the fresh rows are those without a stale
    one: an anti-join with the few marks whose embargo has ended, through the partial `valid_until`
    index of migration 0008. A join with every mark to test `valid_until` hashed all of them (66,640 at
    10^6 cases) on each search and export: ~25 ms of each request (issue 17)."""
    columns = (_VIEWS.c[name] for name in (*CASE_COLUMNS, SEARCH_TEXT))
    stale = and_(RESTRICTED_CASES.c.valid_until.is_not(None), RESTRICTED_CASES.c.valid_until <= viewer.now)
    query: Select[Any] = select(*columns).where(_VIEWS.c.audience == (viewer.agency or PUBLIC_AUDIENCE))
    if fresh:
        query = query.where(~exists().where(RESTRICTED_CASES.c.case_id == _VIEWS.c.case_id, stale))
    else:
        query = query.join(RESTRICTED_CASES, RESTRICTED_CASES.c.case_id == _VIEWS.c.case_id).where(stale)
    if viewer.provinces:
        query = query.where(_VIEWS.c.current_province_code.in_(sorted(viewer.provinces)))
    return query


def refolded_cases(connection: Connection, viewer: Viewer) -> Select[Any] | None:
    """The viewer's live folds (in scope) of cases whose embargo ended since their views were written,
    staged for this request; None when there are none (the usual case: nothing is staged then)."""
    stale = select(RESTRICTED_CASES.c.case_id).where(
        RESTRICTED_CASES.c.valid_until.is_not(None), RESTRICTED_CASES.c.valid_until <= viewer.now
    )
    if connection.execute(stale.limit(1)).first() is None:
        return None  # a probe of the partial valid_until index, cheaper to plan than the events query
    partial = [case for case in partial_views(connection, viewer, stale) if _in_scope(viewer, case)]
    if not partial:
        return None
    key = _viewer_key(viewer)
    _stage(connection, key, partial)
    columns = (*CASE_COLUMNS, SEARCH_TEXT)
    return select(*(PARTIAL.c[name] for name in columns)).where(PARTIAL.c.viewer_key == key)


def partial_views(connection: Connection, viewer: Viewer, case_ids: Select[Any]) -> list[CaseState]:
    """The viewer's fold of each of these cases from its visible events (none where they see nothing)."""
    query = select(*EVENT_COLUMNS).where(EVENTS.c.case_id.in_(case_ids), visible_event(viewer))
    by_case: dict[str, list[StoredEvent]] = defaultdict(list)
    for row in connection.execute(query):
        by_case[row.case_id].append(StoredEvent(*row))
    return [fold_case(case_id, events) for case_id, events in sorted(by_case.items())]


def visible_events(connection: Connection, viewer: Viewer, case_id: str) -> list[StoredEvent]:
    """A case's events this viewer may see, in the order they happened."""
    query = (
        select(*EVENT_COLUMNS)
        .where(EVENTS.c.case_id == case_id, visible_event(viewer))
        .order_by(EVENTS.c.occurred_at, EVENTS.c.event_id)
    )
    return [StoredEvent(*row) for row in connection.execute(query)]


def case_as_seen(connection: Connection, viewer: Viewer, case_id: str) -> CaseState | None:
    """One case as this viewer sees it, or None when they see none of it (or it is outside their scope)."""
    events = visible_events(connection, viewer, case_id)
    if not events:
        return None
    case = fold_case(case_id, events)
    return case if _in_scope(viewer, case) else None


def _in_scope(viewer: Viewer, case: CaseState) -> bool:
    return not viewer.provinces or case.current_province_code in viewer.provinces


def _viewer_key(viewer: Viewer) -> str:
    return f"{viewer.agency}|{','.join(sorted(viewer.provinces))}|{viewer.now.isoformat()}"


def _stage(connection: Connection, key: str, cases: list[CaseState]) -> None:
    """Put a viewer's folded rows in a connection-private temporary table (gone when the request's
    transaction ends), so the SQL over them stays the same statement, compiled once."""
    PARTIAL.create(connection, checkfirst=True)
    connection.execute(PARTIAL.delete().where(PARTIAL.c.viewer_key == key))
    rows = [{name: getattr(case, name, None) for name in CASE_COLUMNS} for case in cases]
    for row, case in zip(rows, cases, strict=True):
        row.update(
            viewer_key=key,
            search_text=search_text(case.case_id, case.title, case.goods),
        )
    connection.execute(PARTIAL.insert(), rows)
