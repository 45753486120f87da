"""Case tallies (kept by migration 0008's triggers) give the same statistics as grouping the visible cases,
for every audience, grouping and period, while cases are written batch after batch, become restricted and
are refolded, and after compaction; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, func, select, text

from consumers.projections import apply_events, stored_event
from consumers.visibility import Viewer
from producers.simulator.simulation import simulate_events
from services.store.engine import make_engine, migrate
from services.store.queries import tallies
from services.store.queries.case_filter import CaseFilter
from services.store.queries.stats import MEASURES, aggregate, totals_of
from services.store.sql_store import SqlCaseStore
from services.store.tally_tables import CASE_TALLIES
from services.views.visible_cases import visible_cases
from services.views.visible_stats import visible_aggregate

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)
VIEWERS = [
    Viewer("qltt", NOW),
    Viewer("police", NOW),
    Viewer("customs", NOW, frozenset({"01", "79"})),
    Viewer(None, NOW),
]
GROUPINGS: list[tuple[list[str], str | None]] = [
    ([], None),
    (["province"], "month"),
    (["bucket", "agency"], None),
    (["category", "platform", "status"], "quarter"),
    ([], "year"),
]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def load(engine: Engine, events: int, seed: int) -> None:
    """Simulated traffic applied in shuffled batches, as consumers would (cases updated many times)."""
    stored = [stored_event(e, "t", 0, i) for i, e in enumerate(simulate_events(events, seed=seed))]
    random.Random(seed).shuffle(stored)
    store = SqlCaseStore(engine)
    for start in range(0, len(stored), 97):
        with store.transaction() as tx:
            apply_events(tx, stored[start : start + 97])


def assert_same_figures(connection: Connection) -> None:
    for viewer in VIEWERS:
        live = visible_cases(connection, viewer)
        for where in (CaseFilter(), CaseFilter(current_province="01"), CaseFilter(bucket="counterfeit_ip")):
            for group_by, period in GROUPINGS:
                expected = aggregate(connection, live, where, group_by, period)
                assert tallies.supports(where)
                answered = visible_aggregate(connection, viewer, where, group_by, period)
                assert answered == expected
                if group_by or period:  # the API adds a grouped answer's totals up from its groups
                    alone = visible_aggregate(connection, viewer, where)[0]
                    assert totals_of(answered) == {m: alone[m] for m in MEASURES}


def test_tallies_follow_every_write_and_survive_compaction(engine: Engine) -> None:
    load(engine, 3000, seed=11)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(CASE_TALLIES)).scalar_one()
        assert stored > 0
        assert_same_figures(connection)
        assert visible_aggregate(connection, VIEWERS[0], CaseFilter())[0]["cases"] > 100
    with engine.begin() as connection:
        tallies.compact_tallies(connection)
    with engine.connect() as connection:
        assert tallies.pending_tallies(connection) == 0
        assert_same_figures(connection)
    load(engine, 1500, seed=12)  # more cases and more events of new ones after compaction
    with engine.connect() as connection:
        assert tallies.pending_tallies(connection) > 0
        assert_same_figures(connection)


def test_filters_the_tallies_cannot_answer_go_to_the_cases() -> None:
    assert tallies.supports(
        CaseFilter(date_from=datetime(2025, 3, 1).date(), date_to=datetime(2025, 4, 30).date())
    )
    assert not tallies.supports(CaseFilter(date_from=datetime(2025, 3, 2).date()))
    assert not tallies.supports(CaseFilter(date_to=datetime(2025, 4, 29).date()))
    assert not tallies.supports(CaseFilter(agency="qltt"))
    assert not tallies.supports(CaseFilter(text="giay"))
    assert tallies.supports(CaseFilter(text="  "))


def test_the_pending_count_reads_the_partial_index_of_pending_rows(engine: Engine) -> None:
    """Asked on every statistics request: with the predicate spelled so the database cannot prove the
    index's `NOT compacted`, it read the whole table (49 ms at 10^6 cases) instead of an empty index."""
    pending = select(CASE_TALLIES.c.id).where(tallies.PENDING).limit(10)
    with engine.connect() as connection:
        sql = str(pending.compile(connection, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL enable_seqscan = off"))  # the table is tiny here
            plan = " ".join(connection.execute(text(f"EXPLAIN {sql}")).scalars())
        else:
            plan = " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_case_tallies_pending" in plan, plan
