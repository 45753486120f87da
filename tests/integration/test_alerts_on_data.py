"""The alert rules on the demo data in a real store (SQLite and PostgreSQL): what each agency is told,
de-duplication across sweeps, and overdue referrals when a reaction is missing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from consumers.alerts.config import AlertConfig
from consumers.alerts.outbox import AlertOutbox
from consumers.entity.follower import sightings_of
from consumers.entity.linker import EntityLinker
from consumers.projections import apply_events, stored_event
from consumers.records import StoredEvent
from producers.demo_data import demo_events
from schemas.alerts import Alert, AlertRule
from schemas.events import CaseEvent
from services.store.alert_store import SqlAlertStore, list_alerts
from services.store.sql_entity_store import SqlEntityTransaction
from services.store.sql_store import SqlCaseStore
from tests.alert_fakes import ListAlertSink

pytestmark = pytest.mark.integration


def materialize_and_link(engine: Engine, events: list[CaseEvent]) -> list[StoredEvent]:
    stored = [stored_event(e, "casehub.cases.x", 0, offset) for offset, e in enumerate(events)]
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, stored)
    with engine.begin() as connection:
        EntityLinker().link(SqlEntityTransaction(connection), sightings_of(stored))
    return stored


def test_the_demo_data_raises_overlaps_and_repeat_offenders_once_each_respecting_distribution(
    migrated_engine: Engine,
) -> None:
    stored = materialize_and_link(migrated_engine, demo_events(cases=40, seed=389))
    police_cases = {e.case_id for e in stored if e.event_type == "CaseOpened" and e.agency == "police"}
    assert all(
        e.distribution["level"] == "OWNER_ONLY"
        for e in stored
        if e.agency == "police" and e.case_id in police_cases
    )
    now = max(e.occurred_at for e in stored) + timedelta(days=1)
    sink = ListAlertSink()
    outbox = AlertOutbox(SqlAlertStore(migrated_engine), sink, AlertConfig())
    first = outbox.sweep(now)
    kinds = Counter(a.rule for a in sink.published)
    assert kinds[AlertRule.OVERLAP] > 0 and kinds[AlertRule.REPEAT_OFFENDER] > 0
    assert first.raised == first.published == len(sink.published) == len({a.alert_id for a in sink.published})
    for alert in sink.published:
        assert alert.distribution.agencies == alert.agencies and len(alert.agencies) == 1
        if alert.agencies != ("police",):
            assert not set(alert.case_ids) & police_cases, alert.summary  # a police case is a hit at most
    assert any("police" in a.evidence.hidden_holders for a in sink.published)
    again = outbox.sweep(now + timedelta(days=2))
    assert (again.raised, again.published) == (0, 0)
    with migrated_engine.connect() as connection:
        rows, total = list_alerts(connection, agency="qltt")
    assert total == sum(1 for a in sink.published if "qltt" in a.agencies) == len(rows)


def test_a_referral_whose_reaction_never_came_is_overdue_after_the_agreed_days(
    migrated_engine: Engine,
) -> None:
    events = demo_events(cases=40, seed=389)
    referrals = {e.event_id: e for e in events if e.event_type == "CaseReferred"}
    unanswered = [e for e in events if getattr(e.payload, "refers_to_event_id", None) not in referrals]
    stored = materialize_and_link(migrated_engine, unanswered)
    last_referral = max(e.occurred_at for e in referrals.values())
    sink = ListAlertSink()
    outbox = AlertOutbox(SqlAlertStore(migrated_engine), sink, AlertConfig(referral_days=30))
    outbox.sweep(last_referral + timedelta(days=29))
    overdue_early = [a for a in sink.published if a.rule == AlertRule.REFERRAL_OVERDUE]
    outbox.sweep(last_referral + timedelta(days=31))
    overdue: list[Alert] = [a for a in sink.published if a.rule == AlertRule.REFERRAL_OVERDUE]
    assert len(referrals) > 0 and len(overdue) == len(referrals) > len(overdue_early)
    assert {a.evidence.event_ids[0] for a in overdue} == {str(i) for i in referrals}
    assert all(set(a.agencies) == {"qltt", "police"} for a in overdue)
    assert len(stored) == len(unanswered)
