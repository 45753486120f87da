"""A rebuild's bulk load into an empty PostgreSQL store: indexes and tallies built once at the end.

Why: the live materializer keeps every secondary index and the case tallies up to date row by row, which
is right for a store people query while it grows, but a rebuild writes a store nobody reads until it is
complete. Measured on the bench's events (issue 17), the pg_trgm GIN and b-tree indexes of `cases`, the
audience views and the per-event tables, and the tally triggers, cost most of PostgreSQL's CPU per event;
built once from the finished tables (CREATE INDEX sorts; tallies are one GROUP BY) they cost a fraction.

`begin_bulk_load` marks the store as a rebuild in progress (the `casehub_rebuild_pending` table, committed
first), drops the secondary indexes the replay does not read by, and disables the tally triggers.
`finish_bulk_load` creates the indexes again from their saved definitions (two sessions at once, each
index its own transaction), fills the tallies set-based meanwhile (already compacted: one row per key, as
`compact_tallies` would leave them), then enables the triggers and drops the mark in one transaction
committed durably after every index: until that commit the store is still marked, whatever failed. A
marked store is refused by every process that opens it (`refuse_unfinished_rebuild`), so a rebuild that
was interrupted (^C, a crash, the server lost) cannot be passed off as good: it says so and names the fix.

Measured (bench events, own broker and durable PostgreSQL, a machine shared at load ~10, so CPU per event
is the figure): 200,000 events, before 158 µs process + 67 µs PostgreSQL per event, after (2 replay
processes, this bulk load) 151 + 51. Tried and not kept: UNLOGGED tables made LOGGED at the end (the
rewrite cost more than the WAL it saved: 53–70 µs PostgreSQL per event and 4–5 s to finish at 50,000
events, against 39–49 µs and 1.5–2 s), and batches of 20,000 records instead of 5,000 (no difference).

SQLite keeps the live path (row-level triggers, indexes kept): a rebuild into SQLite is one writer anyway
and its stores are the small ones.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine, String, cast, func, insert, inspect, literal, select, text, true

from schemas.errors import CasehubError
from services.store.audience_tables import CASE_AUDIENCE_VIEWS, RESTRICTED_CASES
from services.store.queries.tallies import tally_rows
from services.store.sql_store import CASES, EVENTS, OBSERVATIONS, PROJECTIONS, SUBJECTS
from services.store.tally_tables import CASE_TALLIES, KEYS, MEASURES, SHARED_AUDIENCE

INDEX_BUILDERS = 2
"""Sessions building the deferred indexes at once (the bench machine's two cores). Measured on the bench's
200,000 events, the finish took 1.16-1.18 s with one session (0.58 s of it the GIN index of `cases`, 0.18 s
the tallies) and 0.77-0.79 s with two while the tallies fill (session 13)."""
MARK = "casehub_rebuild_pending"
"""The table whose presence says: this store is a rebuild that has not finished."""

LOADED_TABLES = sorted(
    {EVENTS.name, CASES.name, SUBJECTS.name, CASE_AUDIENCE_VIEWS.name, RESTRICTED_CASES.name, *PROJECTIONS}
)
"""The tables a replay writes (dead letters and offsets have unique indexes only: they stay)."""

READ_DURING_REPLAY = frozenset(
    {
        f"ix_{EVENTS.name}_case_id",  # restricted cases' histories (audience views)
        f"ix_{CASE_AUDIENCE_VIEWS.name}_case_id",  # a refolded restricted case replaces its views
        f"ix_{OBSERVATIONS.name}_subject_id",  # a subject is refolded from its observations
    }
)
"""Secondary indexes the materializer reads by while it folds: kept, or each batch would scan tables."""

TALLY_TRIGGERS = {
    CASES.name: ("insert", "update", "delete"),
    RESTRICTED_CASES.name: ("insert", "delete"),
    CASE_AUDIENCE_VIEWS.name: ("insert", "update", "delete"),
}
"""Migration 0008's statement triggers that append tally deltas (named tally_<table>_<event>)."""


class UnfinishedRebuild(CasehubError):
    """The store is a rebuild that did not finish: its indexes and tallies are missing."""


def uses_bulk_load(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def begin_bulk_load(engine: Engine) -> list[str]:
    """Mark the store, then drop the deferred indexes and disable the tally triggers; the definitions of
    the dropped indexes come back (and are kept in the mark, for the record)."""
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {MARK} (started_at timestamptz NOT NULL, indexes text[])"))
        connection.execute(text(f"INSERT INTO {MARK} VALUES (now(), '{{}}')"))
    with engine.begin() as connection:
        definitions = _deferred_indexes(connection)
        for name, _ in definitions:
            connection.execute(text(f'DROP INDEX "{name}"'))
        for table, events in TALLY_TRIGGERS.items():
            for event in events:
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER tally_{table}_{event}"))
        kept = [definition for _, definition in definitions]
        connection.execute(text(f"UPDATE {MARK} SET indexes = :kept"), {"kept": kept})
    return kept


def finish_bulk_load(engine: Engine, definitions: list[str], builders: int = INDEX_BUILDERS) -> None:
    """Indexes back, built by `builders` sessions at once (the GIN ones first: they take longest), while
    the tallies fill; then triggers back and the mark gone in one durable transaction, which waits for
    every index. The store keeps its mark until that last commit, whatever fails before it."""
    with ThreadPoolExecutor(max_workers=max(1, builders), thread_name_prefix="index-build") as pool:
        builds = [pool.submit(_create_index, engine, d) for d in sorted(definitions, key=_build_order)]
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL synchronous_commit = on"))
            _fill_tallies(connection)
            for build in builds:
                build.result()
            for table, events in TALLY_TRIGGERS.items():
                for event in events:
                    connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER tally_{table}_{event}"))
            connection.execute(text(f"DROP TABLE {MARK}"))


def _create_index(engine: Engine, definition: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        connection.execute(text(definition))


def _build_order(definition: str) -> tuple[bool, str]:
    return (" USING gin " not in definition, definition)


def refuse_unfinished_rebuild(connection: Connection, shown_url: str) -> None:
    """Raise UnfinishedRebuild when the store carries the mark of a rebuild in progress (or interrupted)."""
    if not inspect(connection).has_table(MARK):
        return
    started = connection.execute(text(f"SELECT min(started_at) FROM {MARK}")).scalar_one_or_none()
    raise UnfinishedRebuild(
        f"the store {shown_url} is a rebuild that has not finished (started {started}): it lacks its "
        "indexes and statistics. If no rebuild is running, drop this database and run `casehub rebuild` again"
    )


def _deferred_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every non-unique index of the loaded tables but those read."""
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND t.relname = ANY(:tables) "
            "AND NOT i.indisunique AND NOT i.indisprimary ORDER BY 1"
        ),
        {"tables": LOADED_TABLES},
    )
    return [(name, definition) for name, definition in rows if name not in READ_DURING_REPLAY]


def _fill_tallies(connection: Connection) -> None:
    """What migration 0008's triggers would have appended, summed per key: shared rows from the cases
    without restricted events, audience rows from the audience views."""
    shared = CASES.alias("r")
    restricted = select(RESTRICTED_CASES.c.case_id).where(RESTRICTED_CASES.c.case_id == shared.c.case_id)
    _insert_tallies(connection, shared, literal(SHARED_AUDIENCE, String), ~restricted.exists())
    views = CASE_AUDIENCE_VIEWS.alias("r")
    _insert_tallies(connection, views, views.c.audience, true())


def _insert_tallies(connection: Connection, rows: object, audience: object, where: object) -> None:
    per_row = tally_rows(rows, 1).add_columns(cast(audience, String).label("audience")).where(where)  # type: ignore[arg-type]
    one = per_row.subquery()
    keys = [one.c.audience, one.c.month, *(one.c[k] for k in KEYS)]
    summed = select(*keys, *(func.sum(one.c[m]).label(m) for m in MEASURES), true().label("compacted"))
    summed = summed.group_by(*keys).having(func.sum(one.c.cases) != 0)
    columns = ["audience", "month", *KEYS, *MEASURES, "compacted"]
    connection.execute(insert(CASE_TALLIES).from_select(columns, summed))
