"""The audit log as a reader may see it: the same visibility rule as every other read path.

Two views. An admin reads the log, but only rows about what the admin may see (a row naming a case or a
seller the admin cannot open is left out) and, for rows of other agencies' principals, without the values
they searched for (a phone number the police looked up is the police's business). The owner of a record —
an agency that published an event of a case, or recorded an observation of a seller — lists who read it:
the rows naming it, and for a seller the identifier look-ups (search, hit / no-hit) that matched an
identifier the owner recorded, which is what the hit / no-hit service promises its data owners.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, exists, or_, select

from consumers.event_types.subject_identified import identifiers_of
from consumers.visibility import Viewer
from services.access.audit import AUDIT
from services.store.queries.identifiers import matches
from services.store.queries.visibility import visible_event
from services.store.sql_store import EVENTS, OBSERVATIONS

WITHHELD = "withheld"
IDENTIFIER_LOOKUPS = ("/api/subjects/hits", "/api/subjects", "/subjects/hits", "/subjects")
LOOKUP_SCAN_LIMIT = 50_000  # identifier look-ups scanned per owner query (newest first)


def admin_scope(viewer: Viewer, cases: FromClause) -> ColumnElement[bool]:
    """Rows an admin may read: about nothing in particular, about the registry, or about a case or a seller
    the admin may see (through the same visible cases and observations as every read)."""
    visible_case = select(cases.c.case_id).where(cases.c.case_id == AUDIT.c.resource)
    visible_subject = (
        select(OBSERVATIONS.c.subject_id)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
        .where(OBSERVATIONS.c.subject_id == AUDIT.c.resource, visible_event(viewer))
    )
    return or_(
        AUDIT.c.resource.is_(None),
        AUDIT.c.endpoint.startswith("/registry"),
        exists(visible_case),
        exists(visible_subject),
    )


def withhold_foreign_filters(rows: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    """Other agencies' search terms are theirs: keep the parameter names, withhold the values."""
    return [
        row
        if row["agency"] is None or row["agency"] == viewer.agency
        else {**row, "filters": dict.fromkeys(row["filters"] or {}, WITHHELD)}
        for row in rows
    ]


def owns(connection: Connection, agency: str, resource: str) -> bool:
    """Did this agency publish an event of the case, or record an observation of the seller?"""
    case = select(EVENTS.c.event_id).where(EVENTS.c.case_id == resource, EVENTS.c.agency == agency)
    subject = select(OBSERVATIONS.c.event_id).where(
        OBSERVATIONS.c.subject_id == resource, OBSERVATIONS.c.agency == agency
    )
    return bool(connection.execute(select(or_(exists(case), exists(subject)))).scalar())


def reads_of(connection: Connection, agency: str, resource: str, limit: int) -> list[dict[str, Any]]:
    """Who read the owner's record: rows naming it, and look-ups of an identifier the owner recorded of it
    (newest first). Filters of other agencies' rows are withheld except the matched identifier."""
    named = select(AUDIT).where(AUDIT.c.resource == resource).order_by(AUDIT.c.seq.desc()).limit(limit)
    rows = [
        dict(r._mapping) if r.agency == agency else _without_filters(dict(r._mapping))
        for r in connection.execute(named)
    ]
    recorded = _identifiers_recorded(connection, agency, resource)
    if recorded:
        lookups = (
            select(AUDIT)
            .where(AUDIT.c.endpoint.in_(IDENTIFIER_LOOKUPS), AUDIT.c.resource.is_(None))
            .order_by(AUDIT.c.seq.desc())
            .limit(LOOKUP_SCAN_LIMIT)
        )
        for found in connection.execute(lookups):
            row = dict(found._mapping)
            typed = (row["filters"] or {}).get("identifier")
            if isinstance(typed, str) and any(matches(k, v, typed) for k, v in recorded):
                rows.append({**row, "filters": {"identifier": typed}, "resource": resource})
    rows.sort(key=lambda r: r["seq"], reverse=True)
    return rows[:limit]


def _without_filters(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "filters": dict.fromkeys(row["filters"] or {}, WITHHELD)}


def _identifiers_recorded(connection: Connection, agency: str, subject_id: str) -> set[tuple[str, str]]:
    query = (
        select(EVENTS.c.payload)
        .join(OBSERVATIONS, OBSERVATIONS.c.event_id == EVENTS.c.event_id)
        .where(OBSERVATIONS.c.subject_id == subject_id, OBSERVATIONS.c.agency == agency)
    )
    return {pair for payload in connection.execute(query).scalars() for pair in identifiers_of(payload)}
