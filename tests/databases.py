"""Fresh databases for tests: one per test or per module, on SQLite or on the session's PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from services.store.engine import make_engine, migrate


@contextmanager
def fresh_postgres_database(server_url: str, prefix: str = "t") -> Iterator[str]:
    """A new, empty database on the server, dropped (connections and all) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prefix: str
) -> Iterator[str]:
    """For a module fixture parametrized with "sqlite" / "postgres": a fresh store URL of that kind."""
    if request.param == "sqlite":
        yield upgraded(f"sqlite:///{Path(tmp_path_factory.mktemp(prefix)) / 'casehub.db'}")
        return
    with fresh_postgres_database(str(request.getfixturevalue("postgres_server_url")), prefix) as url:
        yield upgraded(url)


def upgraded(url: str) -> str:
    """The store at `url` migrated to the newest schema, as `casehub db upgrade` does before a process
    opens it (processes refuse a store that is behind: services/store/schema_version.py)."""
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return url
