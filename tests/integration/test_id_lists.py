"""Read-side lookups by id list (services/store/queries/id_lists.py): one array parameter on PostgreSQL,
IN lists on SQLite; whatever the ids hold (quotes, commas, braces, backslashes, any script, empty),
exactly the stored rows among them are found, on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, MetaData, String, Table, select

from services.store.engine import make_engine
from services.store.queries.id_lists import among, id_chunks
from tests.databases import module_database

pytestmark = pytest.mark.integration
ROWS = Table("id_list_rows", MetaData(), Column("case_id", String(200), primary_key=True))
# PostgreSQL text holds neither NUL (the API refuses it first: services/api/bounds.py)
# nor lone surrogates (not UTF-8)
IDS = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with module_database(request, tmp_path_factory, "ids") as url:
        made = make_engine(url)
        ROWS.create(made)
        yield made
        made.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.sets(IDS, max_size=30), asked=st.lists(IDS, max_size=30), size=st.integers(1, 7))
def test_exactly_the_stored_ids_among_those_asked_are_found(
    engine: Engine, stored: set[str], asked: list[str], size: int
) -> None:
    with engine.begin() as connection:
        connection.execute(ROWS.delete())
        if stored:
            connection.execute(ROWS.insert(), [{"case_id": i} for i in stored])
        ids = sorted(set(asked) | set(list(stored)[:3]))
        found: set[str] = set()
        for chunk in id_chunks(connection, ids, size):
            found.update(
                connection.execute(
                    select(ROWS.c.case_id).where(among(connection, ROWS.c.case_id, chunk))
                ).scalars()
            )
        assert found == stored & set(ids)
        chunks = list(id_chunks(connection, ids, size))
        assert [i for chunk in chunks for i in chunk] == ids
        if connection.dialect.name == "postgresql":
            assert len(chunks) <= 1  # one array parameter, however many ids
