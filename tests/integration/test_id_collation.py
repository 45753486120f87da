"""Migration 0021: the indexed id columns of the tables the materializer writes compare byte by byte
(`COLLATE "C"`) on PostgreSQL; its downgrade gives them the database's collation back, the search-text
triggers it lifts for the change come back as they were (and still refold a title changed by hand), and
the store reads the same rows at either schema."""

from __future__ import annotations

import importlib

import pytest
from alembic import command
from sqlalchemy import Engine, text

from consumers.projections import apply_events, stored_event
from services.store.engine import make_engine
from services.store.schema_version import alembic_config
from services.store.sql_store import SqlCaseStore
from tests.factories import opened

pytestmark = pytest.mark.integration

MIGRATION = importlib.import_module("services.store.migrations.versions.0021_id_columns_bytewise")
COLUMNS = {(table, column) for table, column, _kind in MIGRATION.ID_COLUMNS}


def test_ids_compare_bytewise_and_the_migration_goes_both_ways(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    store = SqlCaseStore(engine)
    events = [stored_event(opened(case_id), "t", 0, n) for n, case_id in enumerate(["C-0021-b", "C-0021-A"])]
    with store.transaction() as tx:
        apply_events(tx, events)
    triggers = _triggers(engine)
    assert {"cases_search_text_update", "case_audience_views_search_text_update"} <= set(triggers)
    assert _collations(engine) == dict.fromkeys(COLUMNS, "C")
    config = alembic_config()
    for target, collation in (("0020", None), ("head", "C")):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0020" else command.upgrade)(config, target)
        assert _collations(engine) == dict.fromkeys(COLUMNS, collation), target
        assert _triggers(engine) == triggers, target
        with store.transaction() as tx:
            assert tx.events_of_cases(["C-0021-A", "C-0021-b"]) == {e.case_id: [e] for e in events}
            assert set(tx.lock_cases(["C-0021-A", "C-0021-b"])) == {"C-0021-A", "C-0021-b"}
        with engine.connect() as connection:
            connection.execute(text("UPDATE cases SET title = 'HÀNG GIẢ' WHERE case_id = 'C-0021-A'"))
            stored = connection.execute(
                text("SELECT search_text FROM cases WHERE case_id = 'C-0021-A'")
            ).scalar()
            assert stored is not None and stored.startswith("c-0021-a hang gia"), target
            ordered = connection.execute(text("SELECT case_id FROM cases ORDER BY case_id")).scalars().all()
            assert ordered == sorted(ordered), "ids in code-point order, as Python sorts them"
            connection.rollback()
    engine.dispose()


def test_sqlite_is_left_as_it_is(sqlite_url: str) -> None:
    """SQLite compares text byte by byte already: the migration changes nothing there, either way."""
    engine = make_engine(sqlite_url)
    config = alembic_config()
    with engine.begin() as connection:  # the store as 0021 left it (later migrations rewrite tables)
        config.attributes["connection"] = connection
        command.downgrade(config, "0021")
    with engine.connect() as connection:
        before = connection.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).scalars().all()
    for target in ("0020", "0021"):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0020" else command.upgrade)(config, target)
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).scalars().all()
                == before
            )
    engine.dispose()


def _collations(engine: Engine) -> dict[tuple[str, str], str | None]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            )
        ).all()
    return {(table, column): collation for table, column, collation in rows if (table, column) in COLUMNS}


def _triggers(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid IN (CAST('cases' AS regclass), CAST('case_audience_views' AS regclass)) "
                "AND NOT tgisinternal"
            )
        ).all()
    return dict((name, definition) for name, definition in rows)
