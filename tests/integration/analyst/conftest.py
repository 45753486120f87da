"""One analyst world per backend and module: SQLite and a fresh PostgreSQL database on the session server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.analyst_world import NOW, World, build_world


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('world')) / 'casehub.db'}"
        yield from build_world(url)
        return
    server = str(request.getfixturevalue("postgres_server_url"))
    name = f"w_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield from build_world(make_url(server).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def at_now(world: World) -> Iterator[World]:
    """The world with its clock put back to NOW after the test."""
    yield world
    world.clock[0] = NOW
