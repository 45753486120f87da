"""Schemas registered with the hub decode in the hub's consumers without settings, and a replayed dead
letter reaches what a live event reaches: the store, entity linking and the alerts."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine, select

from producers.demo_data import demo_events
from schemas.events import CaseEvent
from schemas.wire import frame
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.broker_access.provisioning import grant_table
from services.early_warning import build_alert_job, build_entity_follower
from services.registry.service import SchemaRegistry
from services.settings import Settings
from services.store.alert_store import ALERTS
from services.store.entity_tables import EntityMemberRow
from services.store.queries.dead_letters import DeadLetterQuery, read_dead_letters
from services.store.registry_tables import FIRST_REGISTERED_ID
from tests.e2e.test_cli import casehub_env, run
from tests.factories import opened
from tests.integration.faults import stored_count
from tests.integration.helpers import admin_options, isolated_settings
from tests.schema_evolution import avro_body, bundled_latest_schema, noted_datum, with_optional_note

pytestmark = pytest.mark.integration
EVOLVED = with_optional_note(bundled_latest_schema())


def hub_settings(bootstrap: str, database_url: str) -> Settings:
    base = isolated_settings(bootstrap, database_url)
    settings = base.model_copy(
        update={
            "alerts_topic": base.dead_letter_topic.replace("deadletters", "alerts"),
            "entity_group": f"{base.consumer_group}-entities",
        }
    )
    grant_table(settings)  # the ACLs of this test's own entity group
    return settings


def send_evolved(settings: Settings, events: list[CaseEvent], schema_id: int) -> None:
    """What an agency on the newer schema (an optional note) sends, keyed by case id."""
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", **admin_options())
    for event in events:
        value = frame(schema_id, avro_body(EVOLVED, noted_datum(event, "sent on v-next")))
        producer.send(settings.agency_topic(event.agency), key=event.case_id.encode(), value=value)
    producer.flush()
    producer.close()


def materialize_and_follow(settings: Settings, engine: Engine) -> tuple[int, int]:
    _, store = open_store(settings)
    materializer = build_materializer(settings, store)
    stats = materializer.run(threading.Event(), idle_exit_s=3)
    materializer.close()
    follower = build_entity_follower(settings, engine)
    follower.run(threading.Event(), idle_exit_s=3)
    follower.close()
    job = build_alert_job(settings, engine)
    try:
        assert job.run_once(), "the alert job should run with the store and broker up"
    finally:
        job.close()
    return stats.events, stats.dead_letters


def test_a_schema_registered_with_the_hub_decodes_without_a_registry_url(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    assert not settings.schema_registry_url
    create_topics(settings)
    engine, store = open_store(settings)
    subject = f"{settings.agency_topic('qltt')}-value"
    schema_id = SchemaRegistry(engine).register(subject, json.dumps(EVOLVED))
    assert schema_id >= FIRST_REGISTERED_ID
    send_evolved(settings, [opened("VN-2025-QLTT-VNEXT1")], schema_id)
    send_evolved(settings, [opened("VN-2025-QLTT-VNEXT2")], schema_id + 1)  # never registered
    materializer = build_materializer(settings, store)
    stats = materializer.run(threading.Event(), idle_exit_s=3)
    materializer.close()
    assert (stats.events, stats.dead_letters) == (1, 1)
    with engine.connect() as connection:
        [letter], _ = read_dead_letters(connection, DeadLetterQuery())
    assert f"unknown schema id {schema_id + 1}" in letter["error_message"]


def entities_and_alerts(engine: Engine) -> tuple[int, set[str]]:
    with engine.connect() as connection:
        members = len(connection.execute(select(EntityMemberRow.subject_id)).all())
        alerts = {row.alert_id for row in connection.execute(select(ALERTS.c.alert_id))}
    return members, alerts


def test_a_replayed_dead_letter_reaches_entities_and_alerts_like_a_live_event(
    kafka_bootstrap: str, postgres_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    events = demo_events(cases=40, seed=389)
    sightings = [e for e in events if e.event_type == "SubjectIdentified"]
    others = [e for e in events if e.event_type != "SubjectIdentified"]

    # Control: every event live on the bundled schema.
    live = hub_settings(kafka_bootstrap, sqlite_url)
    create_topics(live)
    publisher = build_publisher(live)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    live_engine, _ = open_store(live)
    assert materialize_and_follow(live, live_engine) == (len(events), 0)
    live_members, live_alerts = entities_and_alerts(live_engine)
    assert live_members and live_alerts

    # The sellers' sightings sent on a schema the hub learns only later: dead letters at first.
    settings = hub_settings(kafka_bootstrap, postgres_url)
    create_topics(settings)
    engine, _ = open_store(settings)
    publisher = build_publisher(settings)
    assert publisher.publish(others).sent == len(others)
    publisher.close()
    send_evolved(settings, sightings, FIRST_REGISTERED_ID)  # the id the registry will give it
    assert materialize_and_follow(settings, engine) == (len(others), len(sightings))
    assert entities_and_alerts(engine)[0] == 0

    subject = f"{settings.agency_topic('qltt')}-value"
    assert SchemaRegistry(engine).register(subject, json.dumps(EVOLVED)) == FIRST_REGISTERED_ID
    env = {
        **casehub_env(settings, tmp_path),
        "CASEHUB_ALERTS_TOPIC": settings.alerts_topic,
        "CASEHUB_ENTITY_GROUP": settings.entity_group,
    }
    unknown = run(["dlq", "replay", "999999"], env)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: no dead letter with id 999999; nothing replayed"
    replayed = run(["dlq", "replay"], env)
    assert replayed.returncode == 0, replayed.stderr
    assert f"{len(sightings)} resolved into events, 0 still failing" in replayed.stdout
    assert "alerts: " in replayed.stdout
    assert stored_count(engine) == len(events)
    assert entities_and_alerts(engine) == (live_members, live_alerts)
