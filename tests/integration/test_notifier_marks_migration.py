"""Migration 0019 (the notifier's mark per subscription, `notifications.fact_at`) both ways, on SQLite and
PostgreSQL: a downgrade drops the columns and keeps the subscriptions; the upgrade after gives the columns
back empty, so a subscription reads from the start of its window again (the notification ids keep any
alert from being notified twice)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from services.notify.subscriptions import list_subscriptions, subscribe
from services.store.engine import make_engine
from services.store.schema_version import alembic_config
from tests.databases import module_database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with module_database(request, tmp_path_factory, "marks") as made:
        yield made


def columns(engine: object, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}  # type: ignore[arg-type]


def test_the_marks_migration_goes_both_ways_keeping_the_subscriptions(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            subscribe(connection, "n-police", "seller", "S-1", "a@b.vn", NOW)
        assert {"alerts_read_at", "alerts_read_id"} <= columns(engine, "subscriptions")
        assert "fact_at" in columns(engine, "notifications")
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0018")
        assert not {"alerts_read_at", "alerts_read_id"} & columns(engine, "subscriptions")
        assert "fact_at" not in columns(engine, "notifications")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT value FROM subscriptions")).scalars().all() == ["S-1"]
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            (kept,) = list_subscriptions(connection)
        assert (kept.value, kept.alerts_read) == ("S-1", None)
    finally:
        engine.dispose()


def test_the_read_ahead_migration_goes_both_ways_keeping_the_marks(url: str) -> None:
    """Migration 0022: the read-ahead columns go and come back empty; the mark beside them is kept."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            subscribe(connection, "n-police", "seller", "S-2", None, NOW)
            connection.execute(
                text(
                    "UPDATE subscriptions SET alerts_read_at = :at, alerts_read_id = 'A-1', "
                    "alerts_ahead_at = :at, alerts_ahead_id = 'A-9'"
                ),
                {"at": NOW},
            )
        assert {"alerts_ahead_at", "alerts_ahead_id"} <= columns(engine, "subscriptions")
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0021")
        assert not {"alerts_ahead_at", "alerts_ahead_id"} & columns(engine, "subscriptions")
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            (kept,) = list_subscriptions(connection)
        assert (kept.value, kept.alerts_read, kept.alerts_ahead) == ("S-2", (NOW, "A-1"), None)
    finally:
        engine.dispose()
