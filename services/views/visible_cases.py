"""A viewer's case rows: the shared row where they see every event, a fold of what they see otherwise.

Most cases are shared with every agency; for them the materialized `cases` row is exact. A case with an
event the viewer may not see (restricted, listed for others, embargoed) is refolded from its visible events
with the materializer's own fold, so its status, agencies and totals never reflect what is hidden, and a case
known only through hidden events does not exist for the viewer. The result is one selectable with the
columns of `cases`, so search, export, statistics and dossiers filter and aggregate it alike.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Column, Connection, FromClause, MetaData, Select, String, Table, select, union_all

from consumers.case_fold import fold_case
from services.store.queries.visibility import Viewer, hidden_event, visible_event
from services.store.records import CaseState, StoredEvent
from services.store.sql_store import CASES, EVENTS

EVENT_COLUMNS = [EVENTS.c[name] for name in StoredEvent.__dataclass_fields__]
PARTIAL = Table(
    "viewer_folded_cases",
    MetaData(),
    Column("viewer_key", String(200), index=True),
    *(Column(c.name, c.type) for c in CASES.c),
    prefixes=["TEMPORARY"],
)


def visible_cases(connection: Connection, viewer: Viewer) -> FromClause:
    """The cases this viewer may see, each as the viewer sees it, within their province scope."""
    hidden = hidden_case_ids(connection, viewer)
    shared: Select[Any] = select(*CASES.c).where(CASES.c.case_id.not_in(hidden))
    if viewer.provinces:
        shared = shared.where(CASES.c.current_province_code.in_(sorted(viewer.provinces)))
    partial = [case for case in partial_views(connection, viewer, hidden) if _in_scope(viewer, case)]
    if not partial:
        return shared.subquery("visible_cases")
    key = _viewer_key(viewer)
    _stage(connection, key, partial)
    folded = select(*(PARTIAL.c[c.name] for c in CASES.c)).where(PARTIAL.c.viewer_key == key)
    return union_all(shared, folded).subquery("visible_cases")


def hidden_case_ids(connection: Connection, viewer: Viewer) -> Select[Any]:
    """Cases with at least one event this viewer may not see."""
    return select(EVENTS.c.case_id).where(hidden_event(viewer, connection.dialect.name)).distinct()


def partial_views(connection: Connection, viewer: Viewer, hidden: Select[Any]) -> list[CaseState]:
    """The viewer's fold of each partly hidden case; cases they see nothing of are left out."""
    query = select(*EVENT_COLUMNS).where(EVENTS.c.case_id.in_(hidden), visible_event(viewer))
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
    names = [c.name for c in CASES.c]
    rows = [{name: getattr(case, name, None) for name in names} for case in cases]
    for row, case in zip(rows, cases, strict=True):
        row.update(agencies="," + ",".join(case.agencies) + ",", viewer_key=key)
    connection.execute(PARTIAL.insert(), rows)
