"""The visibility rule is written twice, in Python and in SQL; both must agree on every combination."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import not_, select, text

from consumers.projections import apply_events, stored_event
from consumers.visibility import Viewer, can_see
from schemas.events import Distribution, DistributionLevel, PenaltyDecided
from services.store.alert_store import read_facts
from services.store.engine import make_engine, migrate
from services.store.queries.visibility import visible_event
from services.store.sql_store import EVENTS, SqlCaseStore
from tests.analyst_world import NOW
from tests.factories import event

pytestmark = pytest.mark.integration

LEVELS = [
    Distribution(level=DistributionLevel.ALL_AGENCIES),
    Distribution(level=DistributionLevel.ALL_AGENCIES, handling="NOT_AS_EVIDENCE"),
    Distribution(level=DistributionLevel.ALL_AGENCIES, handling="INVESTIGATION_CONFIDENTIAL"),
    Distribution(
        level=DistributionLevel.ALL_AGENCIES, agencies=("tax",), handling="INVESTIGATION_CONFIDENTIAL"
    ),
    Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("tax",)),
    Distribution(
        level=DistributionLevel.LISTED_AGENCIES, agencies=("tax", "qltt"), handling="NO_ONWARD_SHARING"
    ),
    Distribution(level=DistributionLevel.OWNER_ONLY),
    Distribution(level=DistributionLevel.OWNER_ONLY, agencies=("tax",)),
]
EMBARGOES = [None, NOW - timedelta(days=1), NOW + timedelta(days=1)]
VIEWERS = [Viewer(agency, NOW) for agency in ("police", "tax", "qltt", "bcd389", None)]


def test_sql_and_python_agree_on_who_sees_each_event(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    events = [
        event(
            PenaltyDecided(decision_number=f"{n}/QĐ", fine_vnd=1),
            case_id=f"C{n}",
            agency="police",
            distribution=level,
            embargo_until=embargo,
        )
        for n, (level, embargo) in enumerate(itertools.product(LEVELS, EMBARGOES))
    ]
    stored = [stored_event(e, "t", 0, i) for i, e in enumerate(events)]
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, stored)
    with engine.connect() as connection:
        for viewer in VIEWERS:
            by_sql = set(connection.scalars(select(EVENTS.c.event_id).where(visible_event(viewer))))
            hidden = set(connection.scalars(select(EVENTS.c.event_id).where(not_(visible_event(viewer)))))
            by_python = {
                e.event_id for e in stored if can_see(viewer, e.agency, e.distribution, e.embargo_until)
            }
            assert by_sql == by_python, viewer
            assert hidden == {e.event_id for e in stored} - by_python, viewer
    assert {e.event_id for e in stored if can_see(VIEWERS[0], e.agency, e.distribution, e.embargo_until)} == {
        e.event_id for e in stored
    }, "the owner sees all of its events, embargoed or not"
    with engine.connect() as connection:
        restricted = {c.case_id for c in read_facts(connection).cases.values() if c.restricted}
        by_log = set(
            connection.scalars(select(EVENTS.c.case_id).where(text(RESTRICTED_LOG_ROWS[engine.dialect.name])))
        )
    assert restricted == by_log, "the alert facts' restricted cases are the log's restricted rows' cases"
    assert 0 < len(restricted) < len(stored)
    engine.dispose()


RESTRICTED_LOG_ROWS = {
    "sqlite": "json_extract(distribution, '$.level') <> 'ALL_AGENCIES' "
    "OR json_extract(distribution, '$.handling') IS NOT NULL OR embargo_until IS NOT NULL",
    "postgresql": "(distribution ->> 'level') <> 'ALL_AGENCIES' "
    "OR (distribution ->> 'handling') IS NOT NULL OR embargo_until IS NOT NULL",
}
"""The log scan the alert facts read their restricted cases with before migration 0020 (its partial index's
predicate): the oracle of the `restricted_cases` lookup that replaced it."""
