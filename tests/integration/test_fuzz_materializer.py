"""A fuzzer, not a list: valid simulated events mutated toward every edge (tests/fuzz/poison.py) go through
the real materializer into SQLite AND PostgreSQL, with the untouched events as canaries between them.

Invariants: the consumer never stalls; every record ends stored (and readable through the API, statistics
included) or dead-lettered with a reason; every canary arrives; both stores end equal. The bounded run is
part of `make test`; `pytest -m slow` runs the long one. Each run prints its line in the test summary.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from producers.simulator import simulate_events
from services.store.engine import make_engine
from tests.databases import fresh_postgres_database, upgraded
from tests.fuzz.api_reads import server_errors
from tests.fuzz.invariants import check_every_record_is_accounted_for, materialize, store_rows
from tests.fuzz.poison import Poison, poisoned
from tests.run_figures import record

pytestmark = pytest.mark.integration
FIGURES: list[str] = []


StoresOpener = Callable[[], AbstractContextManager[dict[str, Engine]]]


@pytest.fixture
def fresh_stores(postgres_server_url: str, tmp_path: Path) -> StoresOpener:
    """Opens a new SQLite and PostgreSQL store pair for each example: examples share nothing, so one
    whose simulator seed repeats an earlier one's (the same event ids) is not read as re-deliveries of
    it, and hypothesis replays a failing example on the stores it failed on, not on its own leftovers."""

    @contextmanager
    def opened() -> Iterator[dict[str, Engine]]:
        folder = tmp_path / uuid.uuid4().hex[:8]
        folder.mkdir()
        with fresh_postgres_database(postgres_server_url, "fuzz") as server_url:
            urls = {
                "sqlite": upgraded(f"sqlite:///{folder / 'casehub.db'}"),
                "postgres": upgraded(server_url),
            }
            engines = {name: make_engine(url) for name, url in urls.items()}
            try:
                yield engines
            finally:
                for engine in engines.values():
                    engine.dispose()

    return opened


def fuzz_once(stores: dict[str, Engine], poison: list[Poison], batch_sizes: list[int]) -> str:
    outcomes = {name: materialize(engine, poison, batch_sizes) for name, engine in stores.items()}
    for name, engine in stores.items():
        check_every_record_is_accounted_for(engine, poison, outcomes[name])
    for name, outcome in outcomes.items():
        assert outcome.stalls == 0, f"{name}: the consumer stalled"
        assert outcome.lost == [], f"{name}: records lost: {outcome.lost[:5]}"
        assert server_errors(stores[name]) == [], f"{name}: the API failed on what was stored"
    canaries = [p for p in poison if p.kind == "canary"]
    assert outcomes["sqlite"].stored >= len(canaries)
    rows = {name: store_rows(engine) for name, engine in stores.items()}
    for table in rows["sqlite"]:
        assert rows["sqlite"][table] == rows["postgres"][table], f"the stores disagree on {table}"
    reasons: Counter[str] = outcomes["postgres"].dead_letters
    kept = outcomes["postgres"]
    return (
        f"fuzz: {len(poison):,} records ({len(poison) - len(canaries):,} mutated) × {len(stores)} stores: "
        f"0 stalls, 0 lost, {kept.stored:,} stored, {kept.absorbed:,} absorbed, "
        f"{sum(reasons.values()):,} dead letters by reason: "
        + "; ".join(f"{reason} {count}" for reason, count in reasons.most_common())
    )


def _run(fresh_stores: StoresOpener, data: st.DataObject, events: int) -> None:
    seed = data.draw(st.integers(0, 2**32), label="simulator seed")
    prefix = f"r{len(FIGURES)}."
    poison = data.draw(poisoned(list(simulate_events(events, seed=seed)), prefix))
    batch_sizes = data.draw(st.lists(st.integers(1, 400), min_size=1, max_size=40), label="batch sizes")
    with fresh_stores() as stores:
        figure = fuzz_once(stores, poison, batch_sizes)
    FIGURES.append(figure)
    record("no record stops the hub (poison fuzzer)", figure)


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.generate],  # shrinking would replay real databases hundreds of times
        suppress_health_check=list(HealthCheck),
    )


@fuzz_settings(examples=4)
@given(data=st.data())
def test_no_record_stops_the_hub_and_both_stores_agree(
    fresh_stores: StoresOpener, data: st.DataObject
) -> None:
    _run(fresh_stores, data, events=400)


@pytest.mark.slow
@fuzz_settings(examples=10)
@given(data=st.data())
def test_no_record_stops_the_hub_long_run(fresh_stores: StoresOpener, data: st.DataObject) -> None:
    _run(fresh_stores, data, events=2_500)
