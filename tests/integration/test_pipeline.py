"""publish → real Kafka → materializer → store → API, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from consumers.kafka_io import KafkaRecordSource
from producers.demo_data import demo_events
from services.access.demo import DEMO_PRINCIPALS, seed_demo_principals
from services.access.principal import Role
from services.api.app import create_app
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role as KafkaRole
from services.store.queries import store_counts
from tests.integration.helpers import isolated_settings, read_all, send_raw

pytestmark = pytest.mark.integration


def test_demo_events_flow_from_kafka_into_the_store_and_out_of_the_api(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    create_topics(settings)
    events = demo_events(cases=20)
    publisher = build_publisher(settings)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    poison = [b"not avro at all", b"\x00\x00\x00\x00\x09garbage"]
    send_raw(kafka_bootstrap, settings.agency_topic("customs"), poison)

    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    stats = materializer.run(threading.Event(), idle_exit_s=3)
    materializer.source.close()
    materializer.dead_letter_sink.close()

    assert (stats.events, stats.dead_letters) == (len(events), 2)
    client = TestClient(create_app(engine, demo_logins=True))  # demo principals: demo mode
    tokens = seed_demo_principals(engine)  # each agency sees its own slice; together they see every case
    analysts = {
        p.agency: {"Authorization": f"Bearer {tokens[p.principal_id]}"}
        for p in DEMO_PRINCIPALS
        if p.role == Role.ANALYST and not p.provinces
    }
    seen: set[str] = set()
    for headers in analysts.values():
        seen |= {
            c["case_id"]
            for c in client.get("/api/cases", params={"limit": 500}, headers=headers).json()["data"]
        }
    assert seen == {e.case_id for e in events}
    listing = client.get("/api/cases", params={"limit": 500}, headers=analysts["police"]).json()
    shared = next(c for c in listing["data"] if len(c["agencies"]) > 1)
    detail = client.get(f"/api/cases/{shared['case_id']}", headers=analysts["police"]).json()
    assert {e["agency"] for e in detail["timeline"]} == set(shared["agencies"])
    police = {"agency": "police"}
    assert client.get("/api/cases", params=police, headers=analysts["police"]).json()["count"] > 0
    assert client.get("/api/cases/NO-SUCH-CASE", headers=analysts["police"]).status_code == 404
    assert client.get("/api/cases").status_code == 401

    letters = read_all(kafka_bootstrap, settings.dead_letter_topic, expected=2)
    headers = dict(letters[0].headers)  # type: ignore[attr-defined]
    assert headers["casehub.errors.topic"] == settings.agency_topic("customs").encode()
    assert headers["casehub.errors.exception.class.name"] in (b"DecodeError", b"UnknownSchemaError")


class CommitNothing(KafkaRecordSource):
    """A consumer that dies between the store commit and the Kafka commit, every time."""

    def commit(self, next_offsets: object) -> None:  # type: ignore[override]
        return None


def test_a_restart_resumes_from_the_store_offsets_without_duplicates(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    create_topics(settings)
    events = demo_events(cases=12)
    publisher = build_publisher(settings)
    publisher.publish(events)

    engine, store = open_store(settings)
    first = build_materializer(settings, store)
    first.source.close()
    first.source = CommitNothing(
        security=client_options(settings, KafkaRole.MATERIALIZER),
        bootstrap=kafka_bootstrap,
        group=settings.consumer_group,
        topic_pattern=settings.agency_topic_pattern,
        stored_offsets=lambda: store.stored_offsets(settings.consumer_group),
    )
    assert first.run(threading.Event(), idle_exit_s=3).events == len(events)
    first.source.close()
    first.dead_letter_sink.close()

    publisher.publish(events[:5])  # the same events again, as a producer retry would
    publisher.close()
    second = build_materializer(settings, store)
    stats = second.run(threading.Event(), idle_exit_s=3)
    second.source.close()
    second.dead_letter_sink.close()

    assert stats.records == 5, "the restarted consumer re-read only the re-sent records"
    with engine.connect() as connection:
        assert store_counts(connection) == {"events": len(events), "cases": len({e.case_id for e in events})}
