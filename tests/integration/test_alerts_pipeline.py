"""Alerts end to end on a real broker: agency topics → materializer and entity consumer → alerts table
and alerts topic (Avro, schema id 3) → API, each agency seeing the alerts addressed to it; a rerun adds
nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from producers.demo_data import demo_events
from schemas.alert_codec import AlertCodec
from services.access.demo import DEMO_PRINCIPALS, seed_demo_principals
from services.access.principal import Role
from services.api.app import create_app
from services.bootstrap import build_publisher, create_topics, open_store
from services.broker_access.provisioning import grant_table
from services.early_warning import build_alert_job, build_entity_follower
from services.settings import AGENCY_CODES, Settings
from services.store.alert_store import ALERTS
from services.store.sql_store import SqlCaseStore
from tests.integration.helpers import isolated_settings, materialize_until_idle, read_all

pytestmark = pytest.mark.integration


def follow_once(settings: Settings, engine: Engine) -> int:
    """Run the entity consumer until idle, then the alert job once; the number of records it read."""
    follower = build_entity_follower(settings, engine)
    stats = follower.run(threading.Event(), idle_exit_s=3)
    follower.close()
    job = build_alert_job(settings, engine)
    try:
        assert job.run_once(), "the alert job should run with the store and broker up"
    finally:
        job.close()
    return stats.records


def addressed_to(agency: str, stored: dict[str, Any]) -> set[str]:
    """The API's rule: the alert concerns the agency, or is shared with every agency."""
    return {
        i for i, row in stored.items() if agency in row.agencies or row.distribution_level == "ALL_AGENCIES"
    }


def test_demo_events_become_alerts_on_the_topic_in_the_table_and_in_the_api(
    kafka_bootstrap: str, database_url: str
) -> None:
    base = isolated_settings(kafka_bootstrap, database_url)
    settings = base.model_copy(
        update={
            "entity_group": f"{base.consumer_group}-entities",
        }
    )
    grant_table(settings)  # the entity group of this copy gets its ACL too
    create_topics(settings)
    events = demo_events(cases=40, seed=389)
    publisher = build_publisher(settings)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    engine, store = open_store(settings)
    materialize_until_idle(settings, store)

    assert follow_once(settings, engine) == len(events)
    with engine.connect() as connection:
        stored = {row.alert_id: row for row in connection.execute(select(ALERTS))}
    assert stored and all(row.published_at is not None for row in stored.values())
    assert SqlCaseStore(engine).stored_offsets(settings.entity_group)
    codec = AlertCodec()
    expected = {agency: addressed_to(agency, stored) for agency in AGENCY_CODES}
    on_topics = {
        agency: read_all(kafka_bootstrap, settings.alerts_topic_of(agency), expected=len(expected[agency]))
        for agency in AGENCY_CODES
    }
    for agency, records in on_topics.items():  # each agency's topic holds exactly what is addressed to it
        published = [codec.decode(r.value) for r in records]  # type: ignore[attr-defined]
        assert sorted(str(a.alert_id) for a in published) == sorted(expected[agency]), agency
    keys = {r.key.decode() for records in on_topics.values() for r in records}  # type: ignore[attr-defined]
    assert keys == set(stored)  # every alert reached at least one agency, keyed by its id
    rules = {codec.decode(r.value).rule.value for records in on_topics.values() for r in records}  # type: ignore[attr-defined]
    assert rules >= {"OVERLAP", "REPEAT_OFFENDER"}

    assert follow_once(settings, engine) == 0  # nothing new to read, and the sweep raises nothing new
    with engine.connect() as connection:
        assert len(connection.execute(select(ALERTS.c.alert_id)).all()) == len(stored)
    police_topic = settings.alerts_topic_of("police")
    again = read_all(kafka_bootstrap, police_topic, expected=len(expected["police"]), timeout_s=5)
    assert len(again) == len(expected["police"])  # nothing published twice

    client = TestClient(create_app(engine, demo_logins=True))  # demo principals: demo mode
    tokens = seed_demo_principals(engine)
    analysts = {
        p.agency: tokens[p.principal_id]
        for p in DEMO_PRINCIPALS
        if p.role == Role.ANALYST and not p.provinces
    }
    for agency, token in analysts.items():
        answer = client.get(
            "/api/alerts", params={"limit": 500}, headers={"Authorization": f"Bearer {token}"}
        ).json()
        addressed = {
            i
            for i, row in stored.items()
            if agency in row.agencies or row.distribution_level == "ALL_AGENCIES"
        }
        told = {item["alert"]["alert_id"] for item in answer["data"]}
        assert told <= addressed and answer["count"] == len(told)
        for withheld in addressed - told:  # only what says more than the agency may know (issue 15)
            alert = stored[withheld].alert
            counts, hidden = alert["evidence"]["counts"], alert["evidence"]["hidden_holders"]
            assert (alert["rule"] == "REPEAT_OFFENDER" and len(alert["case_ids"]) < counts["threshold"]) or (
                alert["rule"] == "OVERLAP" and counts["agencies"] - len(hidden) < 2
            ), alert
    police_only = next(i for i, row in stored.items() if row.agencies == ("police",))
    assert (
        client.get(
            f"/api/alerts/{police_only}", headers={"Authorization": f"Bearer {analysts['qltt']}"}
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/alerts/{police_only}", headers={"Authorization": f"Bearer {analysts['police']}"}
        ).status_code
        == 200
    )
    assert client.get("/api/alerts").status_code == 401
