"""Fixtures shared by integration tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from services.store.engine import make_engine, migrate


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database (SQLite or PostgreSQL) with every migration applied."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
