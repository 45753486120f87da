"""Row counts and checksums per table, to prove a rebuilt store equals the live one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from services.store.sql_store import CASES, DEAD_LETTERS, EVENTS, PROJECTIONS, SUBJECTS
from services.store.tally_tables import CASE_TALLIES, KEYS, MEASURES

# Columns that say what the store knows (not when or by which process it was written).
COMPARED: dict[str, tuple[Table, list[str]]] = {
    "case_events": (EVENTS, [c.name for c in EVENTS.columns if c.name != "materialized_at"]),
    "cases": (CASES, [c.name for c in CASES.columns]),
    "dead_letters": (DEAD_LETTERS, ["topic", "partition", "offset", "error_class", "error_message", "value"]),
    **{name: (table, [c.name for c in table.columns]) for name, table in sorted(PROJECTIONS.items())},
    "subjects": (SUBJECTS, [c.name for c in SUBJECTS.columns]),
}


@dataclass(frozen=True)
class TableDigest:
    rows: int
    checksum: str


def table_digests(engine: Engine) -> dict[str, TableDigest]:
    """Count and sha256 of every compared table, rows in primary-key order (pending dead letters only)."""
    digests = {}
    with engine.connect() as connection:
        for name, (table, columns) in COMPARED.items():
            query = select(*(table.c[c] for c in columns)).order_by(*_order(table, columns))
            if table is DEAD_LETTERS:
                query = query.where(DEAD_LETTERS.c.resolved_at.is_(None))
            digest = hashlib.sha256()
            rows = 0
            for row in connection.execution_options(stream_results=True, yield_per=5000).execute(query):
                digest.update(json.dumps([plain_value(v) for v in row], sort_keys=True).encode())
                rows += 1
            digests[name] = TableDigest(rows, digest.hexdigest()[:16])
        digests[TALLIES] = _tally_digest(connection)
    return digests


TALLIES = "case_tallies (summed per key)"
"""The statistics' tallies as queries see them: the same sums per key whether they were appended as
deltas by triggers (live) or built in one pass at the end (a PostgreSQL rebuild: store/bulk_load.py)."""


def _tally_digest(connection: Connection) -> TableDigest:
    t = CASE_TALLIES.c
    keys = [t.audience, t.month, *(t[k] for k in KEYS)]
    sums = [func.sum(t[m]) for m in MEASURES]
    query = select(*keys, *sums).group_by(*keys).having(func.sum(t.cases) != 0).order_by(*keys)
    digest = hashlib.sha256()
    rows = 0
    for row in connection.execute(query):
        values = [*row[: len(keys)], *(int(v) for v in row[len(keys) :])]
        digest.update(json.dumps(values).encode())
        rows += 1
    return TableDigest(rows, digest.hexdigest()[:16])


def _order(table: Table, columns: list[str]) -> list[Any]:
    keys = [c for c in table.primary_key.columns if c.name in columns]
    return keys or [table.c[c] for c in ("topic", "partition", "offset")]


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value
