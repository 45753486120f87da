"""The models say what the migrations build: after every migration, alembic's comparison of the database
with the models finds nothing but the objects the database alone writes (listed below with why).

A column or index added to a model without its migration (or the other way round) fails here, on SQLite
and PostgreSQL, instead of at the first query of a store built by migrations, which every store is."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, Index, String, text

from services.store.all_tables import METADATA

pytestmark = pytest.mark.integration

BOTH, POSTGRESQL = ("sqlite", "postgresql"), ("postgresql",)
DATABASE_ONLY: dict[tuple[str, str, str], tuple[tuple[str, ...], str]] = {
    ("column", "cases", "search_text"): (
        BOTH,
        "written by the database: a trigger on PostgreSQL (migration 0015), a generated column on SQLite "
        "(0009); services/views/visible_cases.py reads it as a column of its own",
    ),
    ("column", "case_audience_views", "search_text"): (BOTH, "as for cases"),
    ("index", "cases", "ix_cases_province_search_text"): (
        POSTGRESQL,
        "a pg_trgm GIN index (0016): an operator class of PostgreSQL's that SQLite has no counterpart for",
    ),
    ("index", "case_audience_views", "ix_case_audience_views_scope_search_text"): (
        POSTGRESQL,
        "as for cases",
    ),
}
"""What the migrations build that the models leave out on purpose, on which backends, and why."""


def test_the_models_match_what_the_migrations_build(migrated_engine: Engine) -> None:
    dialect = migrated_engine.dialect.name
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [_named(diff) for diff in _flat(compare_metadata(context, METADATA))]
    explained = {key for key, (backends, _why) in DATABASE_ONLY.items() if dialect in backends}
    assert [d for d in differences if d[1:] not in explained] == []
    # ... and each one the list explains is still there, as a database-only object (nothing stale listed)
    assert sorted(d for d in differences if d[1:] in explained) == sorted(
        ("remove_" + kind, kind, table, name) for kind, table, name in explained
    )


def test_the_models_declare_the_collations_the_migrations_give(migrated_engine: Engine) -> None:
    """alembic does not compare collations: the id columns migration 0021 compares byte by byte are
    checked here, each text column's collation in the database against its model's, in both directions."""
    dialect = migrated_engine.dialect
    declared = {
        (table.name, column.name): impl.collation
        for table in METADATA.tables.values()
        for column in table.columns
        if isinstance(impl := column.type.dialect_impl(dialect), String)
    }
    if dialect.name == "sqlite":
        assert {key: c for key, c in declared.items() if c is not None} == {}  # SQLite knows no "C"
        return
    with migrated_engine.connect() as connection:
        found = {
            (table, column): collation
            for table, column, collation in connection.execute(
                text(
                    "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND collation_name IS NOT NULL"
                )
            )
        }
    collated = {key: c for key, c in declared.items() if c is not None}
    assert found == collated
    assert ("case_events", "event_id") in found and ("case_audience_views", "case_id") in found


def _flat(diffs: list[Any]) -> list[Any]:
    """alembic nests a table's column changes in a list of their own."""
    return [item for diff in diffs for item in (diff if isinstance(diff, list) else [diff])]


def _named(diff: tuple[Any, ...]) -> tuple[str, str, str, str]:
    """(what alembic would do, kind, table, name) of one difference."""
    action = diff[0]
    if action in ("add_index", "remove_index"):
        index: Index = diff[1]
        return (action, "index", str(index.table.name if index.table is not None else ""), str(index.name))
    if action in ("add_column", "remove_column"):
        column: Column[Any] = diff[3]
        return (action, "column", str(diff[2]), str(column.name))
    if action.startswith("modify_"):
        return (action, "column", str(diff[2]), str(diff[3]))
    if action in ("add_table", "remove_table"):
        return (action, "table", str(diff[1].name), "")
    return (action, "other", repr(diff[1:]), "")
