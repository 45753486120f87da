"""One analyst world per backend and module: SQLite and a fresh PostgreSQL database on the session server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.analyst_world import NOW, World, build_world
from tests.databases import module_database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with module_database(request, tmp_path_factory, "w") as url:
        yield from build_world(url)


@pytest.fixture
def at_now(world: World) -> Iterator[World]:
    """The world with its clock put back to NOW after the test."""
    yield world
    world.clock[0] = NOW
