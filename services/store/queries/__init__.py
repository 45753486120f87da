"""Read queries over the store: they read projections and the event log only, never write.

Modules: `visibility` (who may see an event, in SQL and Python), `case_filter` (filters, sorting, pages),
`text` (search without diacritics), `stats` (grouped measures), `identifiers` (sellers by identifier).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, func, select

from services.store.tables import CaseEventRow, CaseRow

# From the tables, not from sql_store: the writer imports queries.text (its search-text fold), so this
# package must not import the writer back.
EVENTS = cast(Table, CaseEventRow.__table__)
CASES = cast(Table, CaseRow.__table__)


def case_timeline(connection: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every event of a case from every agency, in the order they happened (unfiltered: for the hub's
    own processes and tests; readers go through services.views)."""
    query = (
        select(
            EVENTS.c.event_id,
            EVENTS.c.event_type,
            EVENTS.c.agency,
            EVENTS.c.reporting_unit,
            EVENTS.c.occurred_at,
            EVENTS.c.recorded_at,
            EVENTS.c.payload,
        )
        .where(EVENTS.c.case_id == case_id)
        .order_by(EVENTS.c.occurred_at, EVENTS.c.event_id)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def store_counts(connection: Connection) -> dict[str, int]:
    """Rows per main table, for summaries and health."""
    return {
        "events": connection.execute(select(func.count()).select_from(EVENTS)).scalar_one(),
        "cases": connection.execute(select(func.count()).select_from(CASES)).scalar_one(),
    }
