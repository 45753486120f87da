"""A seller's cases with totals by agency and platform, over the cases the viewer may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, FromClause, select

from services.views.visible_cases import case_columns


@dataclass(frozen=True)
class Tally:
    key: str | None
    cases: int
    fines_vnd: int
    goods_value_vnd: int


def cases_of(connection: Connection, cases: FromClause, case_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The viewer's rows of these cases, newest activity first."""
    ids = sorted(set(case_ids))
    query = select(*case_columns(cases)).where(cases.c.case_id.in_(ids))
    query = query.order_by(cases.c.last_event_at.desc())
    result = connection.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def tallies(rows: list[dict[str, Any]], by: str) -> list[Tally]:
    """Cases, fines and goods value per value of a column (each agency of a multi-agency case counts it)."""
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        keys = list(row["agencies"]) if by == "agencies" else [row[by]]
        for key in keys:
            groups[key].append(row)
    return [
        Tally(
            key=key,
            cases=len(group),
            fines_vnd=sum(r["total_fines_vnd"] for r in group),
            goods_value_vnd=sum(r["goods_value_vnd"] for r in group),
        )
        for key, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0] or ""))
    ]
