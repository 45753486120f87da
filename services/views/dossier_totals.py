"""A seller's cases with totals by agency and platform, over the cases the viewer may see.

A dossier shows one page of its cases but totals over all of them: a seller with 50,000 cases must not
load (and render) 50,000 full rows per request. `dossier_cases` reads the narrow columns the totals need
for every case (id, agencies, platform, fines, goods value, last activity), then the page's full rows by
id; a seller whose cases fit in the page costs one statement, as before. Ids go in as one array on
PostgreSQL, ID_CHUNK at a time on SQLite (services.store.queries.id_lists).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, FromClause, select

from services.store.queries.id_lists import IN_CHUNK, among, id_chunks
from services.views.visible_cases import case_columns

ID_CHUNK = IN_CHUNK
"""Ids per statement on SQLite (one bound parameter each); PostgreSQL takes them all as one array."""
TOTALLED = ("case_id", "agencies", "platform", "total_fines_vnd", "goods_value_vnd", "last_event_at")


@dataclass(frozen=True)
class Tally:
    key: str | None
    cases: int
    fines_vnd: int
    goods_value_vnd: int


@dataclass(frozen=True)
class CasePage:
    """One page of a seller's visible cases (newest activity first) and the totals over all of them."""

    rows: tuple[dict[str, Any], ...]
    case_ids: frozenset[str]
    fines_vnd: int
    goods_value_vnd: int
    by_agency: tuple[Tally, ...]
    by_platform: tuple[Tally, ...]

    @property
    def total(self) -> int:
        return len(self.case_ids)


def cases_of(connection: Connection, cases: FromClause, case_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The viewer's rows of these cases, newest activity first (ties by case id)."""
    return _newest(connection, cases, case_columns(cases), sorted(set(case_ids)))


def dossier_cases(
    connection: Connection, cases: FromClause, case_ids: Iterable[str], limit: int, offset: int = 0
) -> CasePage:
    """The page `offset`..`offset + limit` of the viewer's rows of these cases, and totals over every one
    the viewer may see (ids they may not see are left out of both)."""
    ids = sorted(set(case_ids))
    if offset == 0 and len(ids) <= limit:
        rows = cases_of(connection, cases, ids)
        return _paged(rows, rows)
    narrow = _newest(connection, cases, [cases.c[name] for name in TOTALLED], ids)
    shown = [row["case_id"] for row in narrow[offset : offset + limit]]
    return _paged(narrow, cases_of(connection, cases, shown))


def _paged(every: list[dict[str, Any]], rows: list[dict[str, Any]]) -> CasePage:
    return CasePage(
        rows=tuple(rows),
        case_ids=frozenset(row["case_id"] for row in every),
        fines_vnd=sum(row["total_fines_vnd"] for row in every),
        goods_value_vnd=sum(row["goods_value_vnd"] for row in every),
        by_agency=tuple(tallies(every, "agencies")),
        by_platform=tuple(tallies(every, "platform")),
    )


def _newest(
    connection: Connection, cases: FromClause, columns: list[Any], ids: list[str]
) -> list[dict[str, Any]]:
    """The rows of these ids, newest activity first, read ID_CHUNK ids per statement (sorted together
    here when there are several statements)."""
    order = (cases.c.last_event_at.desc(), cases.c.case_id)
    chunks: list[list[dict[str, Any]]] = []
    for chunk in id_chunks(connection, ids, ID_CHUNK):
        query = select(*columns).where(among(connection, cases.c.case_id, chunk)).order_by(*order)
        result = connection.execute(query)
        keys = list(result.keys())
        chunks.append([dict(zip(keys, row, strict=True)) for row in result.all()])
    if len(chunks) == 1:
        return chunks[0]
    every = [row for chunk in chunks for row in chunk]
    return sorted(every, key=lambda row: (-row["last_event_at"].timestamp(), row["case_id"]))


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
