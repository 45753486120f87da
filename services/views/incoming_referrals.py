"""Referrals addressed to the reader's agency, with their age, deadline (settings.alert_referral_days, the
REFERRAL_OVERDUE rule's days) and the answers the agency has given; only referrals the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, FromClause, select

from consumers.visibility import Viewer
from services.store.queries.visibility import visible_event
from services.store.sql_store import EVENTS, PROJECTIONS
from services.views.dossier_totals import cases_of

REFERRALS = PROJECTIONS["referrals"]
REACTIONS = PROJECTIONS["reactions"]


@dataclass
class IncomingReferral:
    event_id: str
    case_id: str
    from_agency: str
    kind: str
    reason: str
    document_number: str | None
    referred_at: datetime
    deadline: datetime
    age_days: int
    case: dict[str, Any] | None
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    def overdue(self, now: datetime) -> bool:
        return not self.answers and now > self.deadline


def incoming(
    connection: Connection,
    agency: str,
    viewer: Viewer,
    cases: FromClause,
    days: int,
    event_id: str | None = None,
) -> list[IncomingReferral]:
    """Newest first; `event_id` picks one referral."""
    query = (
        select(REFERRALS, EVENTS.c.occurred_at.label("referred_at"))
        .join(EVENTS, EVENTS.c.event_id == REFERRALS.c.event_id)
        .where(REFERRALS.c.to_agency == agency, visible_event(viewer))
        .order_by(EVENTS.c.occurred_at.desc(), REFERRALS.c.event_id)
    )
    if event_id is not None:
        query = query.where(REFERRALS.c.event_id == event_id)
    rows = [dict(r._mapping) for r in connection.execute(query)]
    if not rows:
        return []
    seen_cases = {c["case_id"]: c for c in cases_of(connection, cases, {r["case_id"] for r in rows})}
    answers = _answers(connection, agency, [r["event_id"] for r in rows])
    found = []
    for row in rows:
        if viewer.provinces and row["case_id"] not in seen_cases:
            continue  # outside a scoped reader's provinces
        referred_at = row["referred_at"]
        found.append(
            IncomingReferral(
                event_id=row["event_id"],
                case_id=row["case_id"],
                from_agency=row["agency"],
                kind=row["kind"],
                reason=row["reason"],
                document_number=row["document_number"],
                referred_at=referred_at,
                deadline=referred_at + timedelta(days=days),
                age_days=max(0, (viewer.now - referred_at).days),
                case=seen_cases.get(row["case_id"]),
                answers=answers.get(row["event_id"], []),
            )
        )
    return found


def _answers(connection: Connection, agency: str, referral_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The agency's reactions naming each referral, oldest first."""
    query = (
        select(REACTIONS.c.refers_to_event_id, REACTIONS.c.kind, REACTIONS.c.note, REACTIONS.c.occurred_at)
        .where(REACTIONS.c.agency == agency, REACTIONS.c.refers_to_event_id.in_(referral_ids))
        .order_by(REACTIONS.c.occurred_at)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in connection.execute(query):
        found.setdefault(row.refers_to_event_id, []).append(dict(row._mapping))
    return found
