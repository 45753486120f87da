"""Lookups by a list of ids on the read side: on PostgreSQL one array parameter (`= ANY(:ids)`), however
many ids; on SQLite an IN list, a bounded number of ids per statement.

Why not always IN: SQLAlchemy renders an IN list as one bound parameter per id, and psycopg then splits the
statement text around each of them; for a seller with 50,000 cases that was a tenth of the dossier's time,
and the driver refuses more than 65,535 parameters in one statement. The write path (services/store/
sql_store.py) does the same for its own lookups.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Connection, String, any_, bindparam

IN_CHUNK = 5_000
"""Ids per statement where each is its own bound parameter (SQLite)."""


def id_chunks(connection: Connection, ids: list[str], size: int = IN_CHUNK) -> Iterator[list[str]]:
    """The ids a lookup takes at a time: all of them on PostgreSQL, `size` at a time elsewhere."""
    step = max(len(ids), 1) if connection.dialect.name == "postgresql" else size
    for start in range(0, len(ids), step):
        yield ids[start : start + step]


def among(connection: Connection, column: Any, ids: list[str]) -> ColumnElement[bool]:
    """`column` is one of `ids`."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(String)))
    result: ColumnElement[bool] = column.in_(ids)
    return result
