"""Migration 0020 drops the partial index of restricted log rows (its one reader, the alert facts, asks
`restricted_cases` instead); its downgrade brings the index back as 0005 made it, on both backends, and the
alert facts find the same restricted cases at either schema."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, inspect

from consumers.projections import apply_events, stored_event
from schemas.events import Distribution, DistributionLevel, PenaltyDecided
from services.store.alert_store import read_facts
from services.store.engine import make_engine
from services.store.schema_version import alembic_config
from services.store.sql_store import SqlCaseStore
from tests.factories import event

pytestmark = pytest.mark.integration

INDEX = "ix_case_events_restricted"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_index_goes_and_comes_back_and_the_facts_stay(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    shared = Distribution(level=DistributionLevel.ALL_AGENCIES)
    listed = Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("tax",))
    events = [
        event(PenaltyDecided(decision_number=f"{n}/QĐ", fine_vnd=1), case_id=f"C-0020-{n}", distribution=d)
        for n, d in enumerate([shared, listed, shared, listed])
    ]
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, [stored_event(e, "t", 0, i) for i, e in enumerate(events)])
    assert INDEX not in _log_indexes(engine)
    assert _restricted(engine) == {"C-0020-1", "C-0020-3"}
    config = alembic_config()
    for target, present in (("0019", True), ("head", False)):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0019" else command.upgrade)(config, target)
        assert (INDEX in _log_indexes(engine)) is present, target
        assert _restricted(engine) == {"C-0020-1", "C-0020-3"}, target
    engine.dispose()


def _log_indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("case_events")}


def _restricted(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {c.case_id for c in read_facts(connection).cases.values() if c.restricted}
