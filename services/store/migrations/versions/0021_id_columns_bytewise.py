"""compare the written tables' id columns byte by byte (`COLLATE "C"`) on PostgreSQL (issue 17)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

Why: every row the materializer writes puts one or more ids (event, case, subject) into b-tree indexes,
and a b-tree insert compares its key with ~log2(rows) keys on the way down. Under the database's
collation each comparison of text goes through the collation's comparison (`varstr_cmp`: locale lookup,
copies, strcoll); under "C" it is a memcmp. The ids are ASCII codes and UUIDs that only ever meet in
equality, in joins and in id order; the code already orders them by code point (Python's `sorted`, and
`COLLATE "C"` where SQL orders ids for locks and tie-breaks), which is exactly "C". Equality is the same
under any deterministic collation, and a "C" column meets a default-collation one without conflict (the
non-default collation wins), so no query changes. Measured: the log's 80,000 rows re-copied into a copy of
the log table, backend CPU per row, five alternating rounds on a quiet machine: 5.62–5.63 µs with the
database's collation (C.UTF-8 here; a store created under a full locale such as en_US.UTF-8
compares through its rules, not measured here), 5.13–5.25 with these columns in "C"; in the in-process
harness (80,000 events, 11 alternating runs with migration 0020 and the consumer without pre-ping)
PostgreSQL's backend 27.0–35.9 µs per event (mean 30.1) on main's schema, 25.0–37.8 (mean 28.3) with them.

Only the indexed id columns of the tables the materializer writes; other text columns (codes whose order a
page may show, free text) keep the database's collation. Changing a column's collation rebuilds its
indexes but not the table. A trigger whose WHEN clause reads such a column (migration 0015's search-text
triggers read case_id) blocks the change, so those triggers are dropped and re-created as they were.
SQLite compares text byte by byte already (BINARY): nothing to do there. Downgrade gives the columns the
database's default collation back.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

EVENT_TABLES = (
    "penalties",
    "seizures",
    "violations",
    "inspections",
    "referrals",
    "reactions",
    "takedowns",
    "tips",
    "subject_observations",
)
ID_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("case_events", "event_id", "varchar(36)"),
    ("case_events", "case_id", "varchar(64)"),
    ("cases", "case_id", "varchar(64)"),
    ("case_audience_views", "case_id", "varchar(64)"),
    ("restricted_cases", "case_id", "varchar(64)"),
    *((table, "event_id", "varchar(36)") for table in EVENT_TABLES),
    ("reactions", "refers_to_event_id", "varchar(36)"),
    ("subject_observations", "subject_id", "varchar(128)"),
    ("subjects", "subject_id", "varchar(128)"),
    ("subject_identifiers", "subject_id", "varchar(128)"),
)


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('pg_catalog."default"')


def _collate(collation: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    tables = sorted({table for table, _column, _type in ID_COLUMNS})
    for table in tables:
        triggers = connection.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal AND tgqual IS NOT NULL "
                "ORDER BY tgname"
            ),
            {"table": table},
        ).all()
        for name, _definition in triggers:
            op.execute(f'DROP TRIGGER "{name}" ON {table}')
        changes = [
            f"ALTER COLUMN {column} TYPE {kind} COLLATE {collation}"
            for t, column, kind in ID_COLUMNS
            if t == table
        ]
        op.execute(f"ALTER TABLE {table} {', '.join(changes)}")
        for _name, definition in triggers:
            op.execute(definition)
