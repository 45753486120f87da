"""A store of a million cases on PostgreSQL: real materialized cases, cloned server-side.

Materializing 10^6 cases through Kafka would take the benchmark's whole budget, so the store is built
from the cases the pipeline benchmark materialized, copied k times inside PostgreSQL with every id made
unique per copy (case and subject ids suffixed, event ids re-hashed). Distributions (provinces,
categories, agencies, fines, restricted events) are therefore those of the simulator. Ids inside event
payloads are not rewritten; queries that read payloads see the original ids.
"""

from __future__ import annotations

import math

from sqlalchemy import Engine, inspect, text

from services.store.projection_tables import PER_EVENT

SUFFIXED = {"case_id", "subject_id", "own_case_id", "merged_into_case_id"}
IDENTIFIER_SPELLINGS = {"value", "match_key", "loose_key"}
"""A copy's identifier is its own (value and the keys it is found by, migration 0023): a search finds the
original's seller, not every copy's."""
REHASHED = {"event_id", "refers_to_event_id", "origin_event_id", "closing_event_id", "resolved_event_id"}
CLONED_TABLES = (
    "cases",
    "case_events",
    *sorted(PER_EVENT),
    "subjects",
    "restricted_cases",
    "case_audience_views",
)
"""The store's case data: the log, the cases, every per-event table (the store's own list), the subjects and
the per-viewer views."""


def clone_to(engine: Engine, target_cases: int) -> int:
    """Copy every case-keyed table until the store holds at least `target_cases` cases; returns copies."""
    with engine.connect() as connection:
        base = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
    copies = max(1, math.ceil(target_cases / max(base, 1)))
    if copies == 1:
        return 1
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in CLONED_TABLES:
            # the folded search text is left out: it holds the case id, so the database refolds each copy
            # (a generated column on SQLite; on PostgreSQL the trigger of migration 0015 fills it)
            columns = [
                c["name"]
                for c in inspector.get_columns(table)
                if "computed" not in c and c["name"] != "search_text"
            ]
            expressions = ", ".join(_expression(table, column) for column in columns)
            connection.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {expressions} FROM {table}, generate_series(1, :extra) AS copy_no"
                ),
                {"extra": copies - 1},
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return copies


def _expression(table: str, column: str) -> str:
    if column in SUFFIXED or (table == "subject_identifiers" and column in IDENTIFIER_SPELLINGS):
        return f"{column} || '~' || copy_no"
    if column in REHASHED:
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE md5({column} || copy_no)::uuid::text END"
    return column
