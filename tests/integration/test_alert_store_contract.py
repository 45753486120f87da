"""One contract suite for the alert-store port (consumers.ports.alert_store), run on the in-memory fake,
SQLite and PostgreSQL: alerts kept once by id, the unpublished backlog oldest first, marks that stick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from consumers.ports.alert_store import AlertStore
from schemas.alerts import Alert, AlertEvidence, AlertRule, alert_id
from schemas.events import Distribution
from schemas.vocabulary import DistributionLevel
from services.store.alert_store import SqlAlertStore
from services.store.engine import make_engine, migrate
from tests.fakes import MemoryAlertStore

pytestmark = pytest.mark.integration
T0 = datetime(2025, 3, 3, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[AlertStore]:
    if request.param == "memory":
        yield MemoryAlertStore()
        return
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    migrate(engine)
    yield SqlAlertStore(engine)
    engine.dispose()


def an_alert(key: str, raised_hours: int, summary: str = "Chồng chéo") -> Alert:
    return Alert(
        alert_id=alert_id(AlertRule.OVERLAP, key),
        rule=AlertRule.OVERLAP,
        key=key,
        summary=summary,
        entity_id="E-1",
        case_ids=("C1",),
        agencies=("qltt", "customs"),
        evidence=AlertEvidence(event_ids=("e1",), counts={"agencies": 2}),
        triggered_at=T0,
        raised_at=T0 + timedelta(hours=raised_hours),
        distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("qltt", "customs")),
    )


def test_an_alert_is_kept_once_by_id_and_only_new_ids_come_back(store: AlertStore) -> None:
    first, second = an_alert("k1", 1), an_alert("k2", 2)
    assert store.add_alerts([first]) == [str(first.alert_id)]
    again = an_alert("k1", 5, summary="other words, same finding")
    assert store.add_alerts([again, second]) == [str(second.alert_id)]
    assert store.add_alerts([]) == []
    kept = {str(a.alert_id): a for a in store.unpublished()}
    assert kept[str(first.alert_id)] == first  # the first one stays as it was raised


def test_the_backlog_is_oldest_first_and_bounded(store: AlertStore) -> None:
    alerts = [an_alert(f"k{n}", hours) for n, hours in enumerate((5, 1, 3, 1))]
    store.add_alerts(alerts)
    backlog = store.unpublished()
    assert [a.raised_at for a in backlog] == sorted(a.raised_at for a in alerts)
    tied = [str(a.alert_id) for a in backlog if a.raised_at == T0 + timedelta(hours=1)]
    assert tied == sorted(tied)
    assert store.unpublished(limit=2) == backlog[:2]


def test_marked_alerts_leave_the_backlog_and_unknown_ids_are_ignored(store: AlertStore) -> None:
    alerts = [an_alert(f"m{n}", n) for n in range(3)]
    store.add_alerts(alerts)
    store.mark_published([str(alerts[0].alert_id), "00000000-0000-0000-0000-000000000000"], T0)
    assert store.unpublished() == alerts[1:]
    store.mark_published([], T0)
    store.mark_published([str(a.alert_id) for a in alerts], T0 + timedelta(days=1))
    assert store.unpublished() == []
    assert store.add_alerts(alerts) == []  # published alerts are still held: never raised twice


def test_an_empty_store_has_no_facts(store: AlertStore) -> None:
    facts = store.facts()
    assert (facts.cases, facts.links, facts.keys, facts.entity_of) == ({}, [], [], {})
    assert (facts.violations, facts.referrals, facts.activity) == ([], [], [])
