"""SQL of the alert rules: the facts they read from the shared store (consumers.alerts.facts), and the
alerts outbox they write — the alert-store port (consumers.ports.alert_store) for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Engine, Table, func, select, update

from consumers.alerts.facts import (
    AlertFacts,
    CaseActivity,
    CaseFact,
    CaseLink,
    EntityKey,
    ReferralFact,
    Source,
    ViolationFact,
)
from consumers.ports.alert_store import AlertStore
from schemas.alerts import Alert
from services.store.alert_tables import AlertRow
from services.store.audience_tables import RESTRICTED_CASES
from services.store.code_list import holds
from services.store.entity_store import IDENTIFIERS, MEMBERS
from services.store.sql_store import CASES, EVENTS, PROJECTIONS, _insert

ALERTS = cast(Table, AlertRow.__table__)
OBSERVATIONS = PROJECTIONS["subject_observations"]
VIOLATIONS = PROJECTIONS["violations"]
REFERRALS = PROJECTIONS["referrals"]
REACTIONS = PROJECTIONS["reactions"]


def read_facts(connection: Connection) -> AlertFacts:
    """Everything the rules judge, in one consistent read."""
    return AlertFacts(
        cases=_cases(connection),
        links=_links(connection),
        keys=_keys(connection),
        entity_of={r.subject_id: r.entity_id for r in connection.execute(select(MEMBERS))},
        violations=_violations(connection),
        referrals=_referrals(connection),
        activity=_activity(connection),
    )


def _source(row: Any) -> Source:
    return Source(row.agency, row.event_id, row.occurred_at, row.distribution or {}, row.embargo_until)


_SOURCE = (
    EVENTS.c.agency,
    EVENTS.c.event_id,
    EVENTS.c.occurred_at,
    EVENTS.c.distribution,
    EVENTS.c.embargo_until,
)


def _cases(connection: Connection) -> dict[str, CaseFact]:
    """Every case, restricted when it holds an event not shared with everyone as is: the cases the
    materializer marks in `restricted_cases` (consumers.audience_views.is_restricted) in the transaction
    that stores the event, so the log is not scanned for them (migration 0020)."""
    columns = (CASES.c.case_id, CASES.c.opened_by, CASES.c.status, CASES.c.category)
    marked = RESTRICTED_CASES.c.case_id.is_not(None).label("restricted")
    query = select(*columns, CASES.c.current_province_code, CASES.c.first_event_at, marked).outerjoin(
        RESTRICTED_CASES, RESTRICTED_CASES.c.case_id == CASES.c.case_id
    )
    return {
        r.case_id: CaseFact(
            r.case_id,
            r.opened_by,
            r.status,
            r.category,
            r.current_province_code,
            r.first_event_at,
            bool(r.restricted),
        )
        for r in connection.execute(query)
    }


def _links(connection: Connection) -> list[CaseLink]:
    query = (
        select(MEMBERS.c.entity_id, OBSERVATIONS.c.subject_id, OBSERVATIONS.c.case_id, *_SOURCE)
        .join(MEMBERS, MEMBERS.c.subject_id == OBSERVATIONS.c.subject_id)
        .join(EVENTS, EVENTS.c.event_id == OBSERVATIONS.c.event_id)
    )
    return [CaseLink(r.entity_id, r.subject_id, r.case_id, _source(r)) for r in connection.execute(query)]


def _keys(connection: Connection) -> list[EntityKey]:
    query = (
        select(MEMBERS.c.entity_id, IDENTIFIERS.c.subject_id, IDENTIFIERS.c.kind, IDENTIFIERS.c.value)
        .join(MEMBERS, MEMBERS.c.subject_id == IDENTIFIERS.c.subject_id)
        .where(IDENTIFIERS.c.strong.is_(True))
    )
    return [EntityKey(*row) for row in connection.execute(query)]


def _violations(connection: Connection) -> list[ViolationFact]:
    query = select(VIOLATIONS.c.case_id, VIOLATIONS.c.subject_id, *_SOURCE).join(
        EVENTS, EVENTS.c.event_id == VIOLATIONS.c.event_id
    )
    return [ViolationFact(r.case_id, r.subject_id, _source(r)) for r in connection.execute(query)]


def _referrals(connection: Connection) -> list[ReferralFact]:
    query = select(REFERRALS.c.case_id, REFERRALS.c.to_agency, *_SOURCE).join(
        EVENTS, EVENTS.c.event_id == REFERRALS.c.event_id
    )
    return [ReferralFact(r.case_id, r.to_agency, _source(r)) for r in connection.execute(query)]


def _activity(connection: Connection) -> list[CaseActivity]:
    referred = select(REFERRALS.c.case_id).distinct()
    published = select(EVENTS.c.case_id, EVENTS.c.agency, EVENTS.c.occurred_at).where(
        EVENTS.c.case_id.in_(referred)
    )
    reactions = select(
        REACTIONS.c.case_id,
        REACTIONS.c.reacting_agency,
        REACTIONS.c.occurred_at,
        REACTIONS.c.refers_to_event_id,
    )
    found = [CaseActivity(r.case_id, r.agency, r.occurred_at, None) for r in connection.execute(published)]
    return found + [CaseActivity(*row) for row in connection.execute(reactions)]


# --- the outbox -------------------------------------------------------------------------------------


class SqlAlertStore(AlertStore):
    """The alerts table of the shared store, behind the port the alert outbox uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def facts(self) -> AlertFacts:
        with self.engine.connect() as connection:
            return read_facts(connection)

    def add_alerts(self, alerts: Sequence[Alert]) -> list[str]:
        with self.engine.begin() as connection:
            return add_alerts(connection, [alert_row(a) for a in alerts])

    def unpublished(self, limit: int = 500) -> list[Alert]:
        with self.engine.connect() as connection:
            return [Alert.model_validate(row["alert"]) for row in unpublished(connection, limit)]

    def mark_published(self, alert_ids: Iterable[str], at: datetime) -> None:
        with self.engine.begin() as connection:
            mark_published(connection, alert_ids, at)


def alert_row(alert: Alert) -> dict[str, object]:
    """An alert as its table row (the agencies column is a code list: services.store.code_list)."""
    return {
        "alert_id": str(alert.alert_id),
        "rule": alert.rule.value,
        "entity_id": alert.entity_id,
        "agencies": alert.agencies,
        "distribution_level": alert.distribution.level.value,
        "summary": alert.summary,
        "triggered_at": alert.triggered_at,
        "raised_at": alert.raised_at,
        "published_at": None,
        "alert": alert.model_dump(mode="json"),
    }


def add_alerts(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert alerts not held yet (by alert id); the ids that were new."""
    if not rows:
        return []
    ids = [row["alert_id"] for row in rows]
    held = set(connection.execute(select(ALERTS.c.alert_id).where(ALERTS.c.alert_id.in_(ids))).scalars())
    fresh = [row for row in rows if row["alert_id"] not in held]
    if fresh:
        statement = _insert(connection, ALERTS).on_conflict_do_nothing(index_elements=["alert_id"])
        connection.execute(statement, fresh)
    return [row["alert_id"] for row in fresh]


def unpublished(connection: Connection, limit: int = 500) -> list[dict[str, Any]]:
    query = (
        select(ALERTS.c.alert_id, ALERTS.c.alert)
        .where(ALERTS.c.published_at.is_(None))
        .order_by(ALERTS.c.raised_at, ALERTS.c.alert_id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def mark_published(connection: Connection, alert_ids: Iterable[str], at: datetime) -> None:
    ids = sorted(set(alert_ids))
    if ids:
        connection.execute(update(ALERTS).where(ALERTS.c.alert_id.in_(ids)).values(published_at=at))


def addressed_to(agency: str) -> ColumnElement[bool]:
    """The alerts an agency receives: addressed to it, or shared with every agency."""
    return holds(ALERTS.c.agencies, agency) | (ALERTS.c.distribution_level == "ALL_AGENCIES")


def list_alerts(
    connection: Connection,
    *,
    agency: str | None = None,
    rule: str | None = None,
    entity_id: str | None = None,
    alert_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Alerts newest first, and how many match; with `agency`, those addressed to it or shared with all."""
    query = select(ALERTS)
    if alert_id is not None:
        query = query.where(ALERTS.c.alert_id == alert_id)
    if agency is not None:
        query = query.where(addressed_to(agency))
    if rule is not None:
        query = query.where(ALERTS.c.rule == rule)
    if entity_id is not None:
        query = query.where(ALERTS.c.entity_id == entity_id)
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(ALERTS.c.raised_at.desc(), ALERTS.c.triggered_at.desc(), ALERTS.c.alert_id)
    rows = connection.execute(page.limit(limit).offset(offset))
    return [dict(row._mapping) for row in rows], total
