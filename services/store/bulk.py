"""Set-based writes: on PostgreSQL through COPY into a temporary table, then one INSERT … SELECT …
ON CONFLICT; elsewhere a multi-row INSERT … ON CONFLICT. Same semantics, COPY is ~10× less CPU.

Rows that are new almost always (the log's events, the per-event rows of events just appended) are copied
straight into their table on PostgreSQL, inside a savepoint: one write per row instead of two (temporary
table, then the table) and no INSERT … SELECT to plan and run. Should one of them exist after all (a
redelivered batch), the unique index refuses the COPY, the savepoint is rolled back and the rows take the
set-based path, so the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from operator import itemgetter
from typing import Any, cast

import orjson
from psycopg import postgres
from psycopg.abc import Buffer
from psycopg.adapt import Dumper
from psycopg.errors import UniqueViolation
from psycopg.pq import Format
from psycopg.types.json import set_json_dumps
from sqlalchemy import Column, Connection, Engine, String, Table, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError

from services.store import code_list
from services.store.batch_statements import driver
from services.store.code_list import CodeList


def bulk_write(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
    keys: Sequence[str],
    *,
    replace: bool = False,
    returning: Column[Any] | None = None,
    likely_new: bool = False,
    columns: Sequence[str] | None = None,
) -> list[Any]:
    """Insert rows, ignoring (or with `replace`, overwriting) those whose `keys` exist; RETURNING values
    of the rows actually inserted or replaced when `returning` is given. `likely_new`: try copying the
    rows straight into the table first (PostgreSQL; see the module's docstring). Rows are dicts with the
    same keys, or tuples of `columns` (a writer that has its values in order skips the dicts)."""
    if not rows:
        return []
    names, values = _as_tuples(rows, columns)
    if connection.dialect.name == "postgresql":
        if likely_new and _copied_straight(connection, table, names, values):
            if returning is None:
                return []
            at = names.index(returning.name)
            return [row[at] for row in values]
        return _copy_then_insert(connection, table, names, values, keys, replace, returning)
    mappings = (
        [dict(zip(names, row, strict=True)) for row in values]
        if columns is not None
        else list(cast("Sequence[dict[str, Any]]", rows))
    )
    statement: Any = sqlite.insert(table)
    if replace:
        updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    if returning is None:
        connection.execute(statement, mappings)
        return []
    return list(connection.execute(statement.returning(returning), mappings).scalars())


def bulk_write_new(
    connection: Connection, writes: Sequence[tuple[Table, Sequence[dict[str, Any]], Sequence[str]]]
) -> None:
    """`bulk_write(..., likely_new=True)` for several tables (rows, keys) at once: on PostgreSQL every
    table's rows are copied straight in inside one savepoint (a savepoint costs ~200 µs of process CPU
    through SQLAlchemy, and a batch writes up to nine per-event tables); should any key exist already,
    that savepoint is rolled back and every table takes the set-based path, so the result is the same."""
    writes = [(table, rows, keys) for table, rows, keys in writes if rows]
    if connection.dialect.name == "postgresql" and writes:
        shaped = [(table, *_as_tuples(rows, None)) for table, rows, _keys in writes]
        try:
            with _copy_savepoint(connection):  # rolled back on any error, which then propagates
                for table, names, values in shaped:
                    _copy(connection, table.name, table, names, values)
            return
        except UniqueViolation:
            pass
    for table, rows, keys in writes:
        bulk_write(connection, table, rows, keys)


def _as_tuples(
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]], columns: Sequence[str] | None
) -> tuple[list[str], Sequence[tuple[Any, ...]]]:
    """The column names and each row's values in their order."""
    if columns is not None:
        return list(columns), cast("Sequence[tuple[Any, ...]]", rows)
    names = list(cast("dict[str, Any]", rows[0]))
    take = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    return names, [take(row) for row in rows]


def _copy_then_insert(
    connection: Connection,
    table: Table,
    columns: list[str],
    rows: Sequence[tuple[Any, ...]],
    keys: Sequence[str],
    replace: bool,
    returning: Column[Any] | None,
) -> list[Any]:
    """COPY into a staging table, then one INSERT … SELECT … ON CONFLICT, in key order.

    Why the order: a row inserted under a unique key is held until its transaction ends, and another
    writer inserting (or updating) the same key waits for that. Rows shared by concurrent writers over
    disjoint cases — the sellers' `subject_identifiers` that two consumer members or two rebuild
    processes both see — inserted in whatever order each batch gave them, made two writers wait for each
    other in a cycle, which PostgreSQL breaks with `deadlock detected` (a 2-process rebuild, issue 17).
    Taken in key order, as the case and subject locks are, no cycle can form
    (tests/integration/test_concurrent_writers.py)."""
    staging = f"_staging_{table.name}"
    cursor = _copy_cursor(connection)  # the driver's: ~100 µs less of our CPU a statement than SQLAlchemy
    created: set[str] = connection.info.setdefault("staging_tables", set())  # per database session
    transaction = connection.get_transaction()
    staged: set[str] = _staged_in(connection, transaction)
    if staging not in created:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        created.add(staging)
    if staging in staged:  # otherwise the last commit emptied it (ON COMMIT DELETE ROWS)
        cursor.execute(f"DELETE FROM {staging}")
    staged.add(staging)
    _copy(connection, staging, table, columns, rows)
    names = ", ".join(columns)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    if replace:
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keys)
        conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    tail = f" RETURNING {returning.name}" if returning is not None else ""
    order = "ORDER BY " + ", ".join(_in_code_point_order(table, key) for key in keys)
    cursor.execute(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} {order} {conflict}{tail}"
    )
    return [row[0] for row in cursor.fetchall()] if returning is not None else []


def _in_code_point_order(table: Table, key: str) -> str:
    """A key column as ORDER BY takes it: text in code-point order (the order Python's sorted() gives
    the rows copied straight in, `SqlTransaction.add_events`), whatever the database's collation."""
    return f'{key} COLLATE "C"' if isinstance(table.c[key].type, String) else key


def _copied_straight(
    connection: Connection, table: Table, columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> bool:
    """COPY the rows into `table` itself; False (and nothing written) when a row's key already exists."""
    try:
        with _copy_savepoint(connection):  # rolled back on any error, which then propagates
            _copy(connection, table.name, table, columns, rows)
    except UniqueViolation:
        return False
    return True


_SAVEPOINT = "casehub_copy"


@contextmanager
def _copy_savepoint(connection: Connection) -> Iterator[None]:
    """A savepoint around COPYs straight into tables (PostgreSQL), sent by the driver itself: through
    SQLAlchemy's `begin_nested` the pair cost ~400 µs of our CPU a batch against ~190 here, and a batch
    takes two. Nothing inside creates staging tables (what SQLAlchemy's `rollback_savepoint` event tells
    `_forget_staging_created_in_savepoint`), so SQLAlchemy need not know of it. On any error the savepoint
    is rolled back and the error propagates; should the rollback itself fail (the connection lost), the
    original error propagates and the transaction is lost with the connection."""
    connection_driver = driver(connection)
    connection_driver.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield
    except BaseException:
        with suppress(Exception):
            connection_driver.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            connection_driver.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        raise
    connection_driver.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")


def _copy(
    connection: Connection, target: str, table: Table, columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """COPY rows (values of `columns`) into `target`, whose columns are `table`'s, in the binary
    format: each value is sent as PostgreSQL stores it (a timestamp as 8 bytes, not text to parse), which
    costs a third of the text format's row formatting here and spares the server the parsing. JSON is
    written by orjson (the format's jsonb is its text with a version byte)."""
    spellings = {i: _text_of(table.c[c].type) for i, c in enumerate(columns) if c in table.c}
    as_text = {i: spell for i, spell in spellings.items() if spell is not None}
    oids = _column_types(connection, table)
    cursor = _copy_cursor(connection)
    with cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([oids[c] for c in columns])
        for values in _copy_rows(rows, as_text):
            copy.write_row(values)


def _copy_cursor(connection: Connection) -> Any:
    """The connection's cursor for COPY and the staging statements around it, its JSON dumpers set once:
    a new cursor per COPY, set up each time, cost ~75 µs of our CPU per COPY (~280 against ~205 µs for a
    COPY of a few rows), and a batch runs five or more. Kept per database session, for that driver
    connection only (a replaced connection gets its own). The dumpers stay on this cursor: the
    connection's other statements keep psycopg's own."""
    connection_driver = driver(connection)
    kept = connection.info.get("copy_cursor")
    if kept is None or kept[0] is not connection_driver or kept[1].closed:
        cursor = connection_driver.cursor()
        set_json_dumps(orjson.dumps, context=cursor)
        cursor.adapters.register_dumper(None, _JsonbByOrjson)  # what COPY picks for a jsonb column
        cursor.adapters.register_dumper(None, _JsonByOrjson)  # ... and for a json one (the log's payload)
        kept = (connection_driver, cursor)
        connection.info["copy_cursor"] = kept
    return kept[1]


class _JsonbByOrjson(Dumper):
    """A jsonb value in the binary format: the version byte, then orjson's text. psycopg's own jsonb
    dumper writes the same bytes through three Python calls and wrapper checks per value (a log row has
    two JSON values); COPY after `set_types` looks dumpers up by oid, so this one serves jsonb columns
    only (tests/integration/test_store_contract.py reads the JSON back on PostgreSQL)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> Buffer:
        return b"\x01" + orjson.dumps(obj)


class _JsonByOrjson(Dumper):
    """A json value in the binary format: orjson's text as it is (json's binary form is its text)."""

    format = Format.BINARY
    oid = postgres.types["json"].oid

    def dump(self, obj: Any) -> Buffer:
        return orjson.dumps(obj)


def _column_types(connection: Connection, table: Table) -> dict[str, int]:
    """The type oid of each column of `table` as the database has it (the binary format must name them),
    read once per database session."""
    known: dict[str, dict[str, int]] = connection.info.setdefault("column_types", {})
    if table.name not in known:
        rows = connection.exec_driver_sql(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %(table)s::regclass AND attnum > 0 AND NOT attisdropped",
            {"table": table.name},
        )
        known[table.name] = {name: oid for name, oid in rows}
    return known[table.name]


def _text_of(column_type: Any) -> Callable[[Any], str] | None:
    """What COPY cannot take as the Python value (COPY bypasses SQLAlchemy's types): code lists, spelled
    with the store's one codec. JSON goes as the value itself (the cursor's JSON dumper is orjson)."""
    if isinstance(column_type, CodeList):
        return code_list.encode
    return None


def _copy_rows(
    rows: Sequence[tuple[Any, ...]], as_text: dict[int, Callable[[Any], str]]
) -> Iterable[Sequence[Any]]:
    """Each row's values, code-list columns as text."""
    if not as_text:
        return rows
    return (_spelled(row, as_text) for row in rows)


def _spelled(row: tuple[Any, ...], as_text: dict[int, Callable[[Any], str]]) -> list[Any]:
    values = list(row)
    for i, spell in as_text.items():
        if values[i] is not None:
            values[i] = spell(values[i])
    return values


def _staged_in(connection: Connection, transaction: object) -> set[str]:
    """The staging tables this transaction has filled so far (a new transaction starts with none)."""
    owner, staged = connection.info.get("staged_in_transaction", (None, set()))
    if owner is not transaction:
        staged = set()
        connection.info["staged_in_transaction"] = (transaction, staged)
    return staged


@event.listens_for(Engine, "rollback")
def _forget_staging(connection: Connection) -> None:
    """A rolled-back transaction may have created staging tables: they are gone, so create them anew.
    (A connection lost mid-transaction cannot be asked: its replacement starts with an empty `info`.)"""
    if connection.invalidated:
        return
    try:
        info = connection.info
    except SQLAlchemyError:
        return
    info.pop("staging_tables", None)
    info.pop("staged_in_transaction", None)


@event.listens_for(Engine, "rollback_savepoint")
def _forget_staging_created_in_savepoint(connection: Connection, _name: str, _context: object) -> None:
    """A savepoint rolled back may have created staging tables: create them anew when next needed. The
    tables staged in the transaction stay marked, so they are emptied before their next use."""
    if connection.invalidated:
        return
    try:
        connection.info.pop("staging_tables", None)
    except SQLAlchemyError:
        return
