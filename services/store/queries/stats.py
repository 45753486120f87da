"""Counts, fines and goods value of case rows grouped by period and dimensions, for /api/stats and reports.

A case is counted once, in the month (quarter, year) its first event happened in Vietnam, under its current
(34-unit) province and under its lead agency, the one that opened it. Measures add up across any grouping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from services.store.queries.case_filter import CaseFilter, conditions
from services.store.queries.case_measures import penalized, referred

PERIODS = ("month", "quarter", "year")
DIMENSIONS = {
    "province": "current_province_code",
    "agency": "opened_by",
    "category": "category",
    "bucket": "bucket",
    "platform": "platform",
    "status": "status",
}
MEASURES = ("cases", "penalized_cases", "referred_cases", "fines_vnd", "goods_value_vnd")


class local_period(FunctionElement[str]):
    """SQL: the Vietnamese month ('2025-10'), quarter ('2025-Q4') or year ('2025') of a UTC timestamp."""

    inherit_cache = True
    name = "local_period"

    def __init__(self, column: ColumnElement[Any], period: str) -> None:
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        self.period = period
        super().__init__(column)


@compiles(local_period, "postgresql")
def _period_postgresql(element: local_period, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    pattern = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}[element.period]
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'Asia/Ho_Chi_Minh', '{pattern}')"


@compiles(local_period)
def _period_sqlite(element: local_period, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    moment = compiler.process(column, **kw)
    if element.period == "quarter":
        month = f"CAST(strftime('%m', {moment}, '+7 hours') AS INTEGER)"
        return f"(strftime('%Y', {moment}, '+7 hours') || '-Q' || (({month} + 2) / 3))"
    pattern = {"month": "%Y-%m", "year": "%Y"}[element.period]
    return f"strftime('{pattern}', {moment}, '+7 hours')"


def aggregate(
    connection: Connection,
    cases: FromClause,
    where: CaseFilter,
    group_by: Sequence[str] = (),
    period: str | None = None,
) -> list[dict[str, Any]]:
    """One row per group with every measure; no grouping gives the single row of totals."""
    c = cases.c
    keys: list[ColumnElement[Any]] = []
    if period is not None:
        keys.append(local_period(c.first_event_at, period).label(period))
    keys.extend(c[DIMENSIONS[name]].label(name) for name in group_by)
    measures = [
        func.count().label("cases"),
        func.coalesce(func.sum(case((penalized(c), 1), else_=0)), 0).label("penalized_cases"),
        func.coalesce(func.sum(case((referred(c), 1), else_=0)), 0).label("referred_cases"),
        func.coalesce(func.sum(c.total_fines_vnd), 0).label("fines_vnd"),
        func.coalesce(func.sum(c.goods_value_vnd), 0).label("goods_value_vnd"),
    ]
    query = select(*keys, *measures).select_from(cases).where(*conditions(cases, where))
    if keys:
        query = query.group_by(*keys).order_by(*keys)
    return [_whole_numbers(dict(row._mapping)) for row in connection.execute(query)]


def totals_of(groups: Sequence[dict[str, Any]]) -> dict[str, int]:
    """The row of totals of a grouped answer, added up from its groups instead of asked for again: every
    case is in exactly one group (one period, one value per dimension), so the measures of the groups add
    up to the totals, and a group left out (tallies summing to no case) holds nothing to add."""
    return {measure: sum(int(group[measure]) for group in groups) for measure in MEASURES}


def _whole_numbers(row: dict[str, Any]) -> dict[str, Any]:
    """SUMs come back as Decimal on PostgreSQL; the API speaks whole VND."""
    return {k: int(v) if k in MEASURES and v is not None else v for k, v in row.items()}
