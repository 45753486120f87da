"""Statistics from the case tallies (services/store/tally_tables.py) instead of the case rows.

The same measures as `stats.aggregate`, summed over pre-added tally rows: a filter or grouping on the
tallies' keys (period, current province, lead agency, category, bucket, platform, status; dates on whole
months) is answered from them; anything else (an agency taking part, a province as written then, words,
case ids, dates inside a month) needs the case rows and `supports` says so.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
    text,
)

from services.store.queries.case_filter import CaseFilter
from services.store.queries.case_measures import penalized, referred
from services.store.queries.stats import DIMENSIONS, MEASURES, local_period
from services.store.tally_tables import CASE_TALLIES, KEYS

T = CASE_TALLIES
COMPACT_AFTER = 5_000
_LOCK = 389_008  # advisory lock: one compaction at a time
# The partial index ix_case_tallies_pending's own predicate, word for word: neither database proves that
# SQLAlchemy's `compacted IS false` (PostgreSQL) or `compacted = 0` (SQLite) implies it, so those scanned the
# whole table on every statistics request (49 ms at 10^6 cases) to find no pending row.
PENDING = text("NOT compacted")


def supports(where: CaseFilter) -> bool:
    """Whether the tallies can answer this filter exactly."""
    months_only = (where.date_from is None or where.date_from.day == 1) and (
        where.date_to is None or where.date_to.day == monthrange(where.date_to.year, where.date_to.month)[1]
    )
    needs_cases = (where.agency, where.historical_province, where.case_ids, (where.text or "").strip())
    return months_only and not any(value for value in needs_cases if value is not None)


def tally_rows(cases: FromClause, sign: int) -> Select[Any]:
    """Case-shaped rows as signed tally rows (for cases refolded on the request, or taken out again)."""
    c = cases.c
    measures = {
        "cases": literal(1),
        "penalized_cases": case((penalized(c), 1), else_=0),
        "referred_cases": case((referred(c), 1), else_=0),
        "fines_vnd": c.total_fines_vnd,
        "goods_value_vnd": c.goods_value_vnd,
    }
    columns: list[ColumnElement[Any]] = [
        local_period(c.first_event_at, "month").label("month"),
        *(func.coalesce(c[source], "").label(name) for name, source in KEYS.items()),
        *((value * sign).label(name) for name, value in measures.items()),
    ]
    return select(*columns)


def stored_tallies(audiences: Sequence[str], provinces: frozenset[str]) -> Select[Any]:
    """The stored tally rows of these audiences (within a province scope when one is given)."""
    query = select(T.c.month, *(T.c[k] for k in KEYS), *(T.c[m] for m in MEASURES)).where(
        T.c.audience.in_(list(audiences))
    )
    return query.where(T.c.current_province_code.in_(sorted(provinces))) if provinces else query


def aggregate_tallies(
    connection: Connection,
    tallies: FromClause,
    where: CaseFilter,
    group_by: Sequence[str] = (),
    period: str | None = None,
) -> list[dict[str, Any]]:
    """`stats.aggregate` over tally rows: one row per group with every measure, or the row of totals."""
    t = tallies.c
    keys: list[ColumnElement[Any]] = []
    if period is not None:
        keys.append(_period(t.month, period).label(period))
    keys.extend(func.nullif(t[DIMENSIONS[name]], "").label(name) for name in group_by)
    measures = [func.coalesce(func.sum(t[m]), 0).label(m) for m in MEASURES]
    query = select(*keys, *measures).select_from(tallies).where(*_conditions(tallies, where))
    if keys:
        query = query.group_by(*keys).having(func.sum(t.cases) != 0).order_by(*keys)
    return [
        {k: int(v) if k in MEASURES else v for k, v in row._mapping.items()}
        for row in connection.execute(query)
    ]


def _period(month: ColumnElement[Any], period: str) -> ColumnElement[Any]:
    if period == "month":
        return month
    year = func.substr(month, 1, 4)
    if period == "year":
        return year
    quarter = (cast(func.substr(month, 6, 2), Integer) + 2) // 3
    return year + "-Q" + cast(quarter, String)


def _conditions(tallies: FromClause, where: CaseFilter) -> list[ColumnElement[bool]]:
    t = tallies.c
    found: list[ColumnElement[bool]] = []
    for column, value in (
        ("current_province_code", where.current_province),
        ("category", where.category),
        ("bucket", where.bucket),
        ("status", where.status),
        ("platform", where.platform),
    ):
        if value:
            found.append(t[column] == value)
    if where.date_from:
        found.append(t.month >= _month(where.date_from))
    if where.date_to:
        found.append(t.month <= _month(where.date_to))
    return found


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def pending_tallies(connection: Connection, limit: int = COMPACT_AFTER) -> int:
    """How many tally rows await compaction (counted up to `limit` + 1)."""
    pending = select(T.c.id).where(PENDING).limit(limit + 1).subquery()
    return int(connection.execute(select(func.count()).select_from(pending)).scalar_one())


def compact_tallies(connection: Connection) -> None:
    """Fold the tally rows of every key with pending deltas into one row per key (dropping keys that
    sum to no case). Writers only ever append, so this never blocks them; run it in its own transaction."""
    keys = ", ".join(["audience", "month", *KEYS])
    sums = ", ".join(f"sum({m})" for m in MEASURES)
    columns = f"{keys}, {', '.join(MEASURES)}, compacted"
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LOCK})
        matching = " AND ".join(f"t.{k} = p.{k}" for k in ["audience", "month", *KEYS])
        connection.execute(
            text(
                f"WITH pending AS (SELECT DISTINCT {keys} FROM case_tallies WHERE NOT compacted), "
                f"gone AS (DELETE FROM case_tallies t USING pending p WHERE {matching} RETURNING t.*) "
                f"INSERT INTO case_tallies ({columns}) SELECT {keys}, {sums}, true FROM gone "
                f"GROUP BY {keys} HAVING sum(cases) <> 0"
            )
        )
        return
    # SQLite: one writer at a time, so the bound on ids keeps out rows appended after it was read.
    last = connection.execute(text("SELECT max(id) FROM case_tallies")).scalar_one()
    if last is None:
        return
    touched = f"({keys}) IN (SELECT {keys} FROM case_tallies WHERE NOT compacted AND id <= :last)"
    connection.execute(
        text(
            f"INSERT INTO case_tallies ({columns}) SELECT {keys}, {sums}, 1 FROM case_tallies "
            f"WHERE id <= :last AND {touched} GROUP BY {keys} HAVING sum(cases) <> 0"
        ),
        {"last": last},
    )
    connection.execute(text(f"DELETE FROM case_tallies WHERE id <= :last AND {touched}"), {"last": last})
