"""Analyst read queries. They read projections and the event log only, never write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from services.store.sql_store import CASES, EVENTS


@dataclass(frozen=True)
class CaseFilter:
    agency: str | None = None
    province_code: str | None = None
    status: str | None = None
    category: str | None = None
    limit: int = 50
    offset: int = 0


def list_cases(connection: Connection, where: CaseFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of cases, newest activity first, and the total count that matches."""
    conditions: list[ColumnElement[bool]] = []
    if where.agency:
        conditions.append(CASES.c.agencies.like(f"%,{where.agency},%"))
    if where.province_code:
        conditions.append(CASES.c.province_code == where.province_code)
    if where.status:
        conditions.append(CASES.c.status == where.status)
    if where.category:
        conditions.append(CASES.c.category == where.category)
    count = connection.execute(select(func.count()).select_from(CASES).where(*conditions)).scalar_one()
    page = (
        select(CASES)
        .where(*conditions)
        .order_by(CASES.c.last_event_at.desc(), CASES.c.case_id)
        .limit(where.limit)
        .offset(where.offset)
    )
    return [dict(row._mapping) for row in connection.execute(page)], count


def get_case(connection: Connection, case_id: str) -> dict[str, Any] | None:
    row = connection.execute(select(CASES).where(CASES.c.case_id == case_id)).first()
    return dict(row._mapping) if row is not None else None


def case_timeline(connection: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every event of a case from every agency, in the order they happened."""
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
