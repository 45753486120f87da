"""Interop with a client no one here wrote: confluent-kafka's registry client, serializers and producer.

The hub's app is served by uvicorn on a free port; confluent-kafka registers and serializes against
it and produces to the real broker; our materializer (codec over RegistryCatalog) stores the events;
our publisher's bytes decode with confluent-kafka's AvroDeserializer. Evolution both ways: the oldest
bundled schema and a newer test-local one (an optional field with a default) against the bundled latest.
"""

from __future__ import annotations

import copy
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from fastavro import parse_schema, schemaless_reader
from pydantic import SecretStr
from sqlalchemy import Engine

from deploy.kafka_broker import free_port
from schemas.catalog import ENVELOPE_RECORD, bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.events import CaseEvent
from schemas.wire import unframe
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.broker_access.client_options import librdkafka_config
from services.registry.store import FIRST_REGISTERED_ID
from services.settings import Settings
from services.store.queries import case_timeline
from services.store.sql_store import SqlCaseStore
from tests.factories import opened, penalty
from tests.integration.helpers import isolated_settings, read_all
from tests.schema_evolution import NOTE_FIELD, bundled_latest_schema, with_optional_note

pytestmark = pytest.mark.integration
OLDEST = bundled_catalog().versions()[0]
LATEST = bundled_catalog().latest()
EVOLVED = with_optional_note(bundled_latest_schema())
STEWARD = Principal("t-steward", "Schema steward", None, Role.SCHEMA_STEWARD)


@dataclass
class ServedHub:
    settings: Settings
    engine: Engine
    store: SqlCaseStore
    url: str
    token: str  # a schema steward's

    def registry(self) -> SchemaRegistryClient:
        """confluent-kafka's client signed in as the steward with basic auth (`<principal id>:<token>`)."""
        return SchemaRegistryClient(
            {"url": self.url, "basic.auth.user.info": f"{STEWARD.principal_id}:{self.token}"}
        )

    def context(self, agency: str = "qltt") -> SerializationContext:
        return SerializationContext(self.settings.agency_topic(agency), MessageField.VALUE)


@pytest.fixture
def hub(kafka_bootstrap: str, database_url: str) -> Iterator[ServedHub]:
    """The hub app (analyst API + registry) on uvicorn in a background thread, on SQLite and PostgreSQL."""
    settings = isolated_settings(kafka_bootstrap, database_url)
    engine, store = open_store(settings)
    save_principal(engine, STEWARD)
    token = issue_token(engine, STEWARD.principal_id)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="registry-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/registry"
    try:
        served = settings.model_copy(
            update={"schema_registry_url": url, "schema_registry_token": SecretStr(token)}
        )
        yield ServedHub(served, engine, store, url, token)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        engine.dispose()


def as_written_by(schema_text: str, event: CaseEvent) -> dict[str, Any]:
    """The event's datum as a producer on an older schema holds it (Avro resolution latest → that schema)."""
    body = bytes(unframe(CaseEventCodec().encode(event))[1])
    reader = parse_schema(json.loads(schema_text))
    return dict(schemaless_reader(io.BytesIO(body), LATEST.parsed, reader, return_record_name=True))


def produce(hub: ServedHub, messages: list[tuple[str, bytes]], agency: str = "qltt") -> None:
    """Send with confluent-kafka's own producer (librdkafka), keyed by case id."""
    producer = Producer({**librdkafka_config(hub.settings, agency), "acks": "all"})
    for key, value in messages:
        producer.produce(hub.settings.agency_topic(agency), key=key.encode(), value=value)
    assert producer.flush(30) == 0


def test_confluent_client_gets_bundled_ids_and_writes_the_bytes_our_codec_writes(hub: ServedHub) -> None:
    client = hub.registry()
    subject = f"{hub.settings.agency_topic('qltt')}-value"
    for version in (v for v in bundled_catalog().versions() if v.record == ENVELOPE_RECORD):
        assert client.register_schema(subject, Schema(version.text, "AVRO")) == version.schema_id
    assert client.get_latest_version(subject).schema_id == LATEST.schema_id
    assert json.loads(client.get_schema(OLDEST.schema_id).schema_str) == json.loads(OLDEST.text)

    event = opened(case_id="VN-2025-QLTT-INTEROP1")
    ours = CaseEventCodec().encode(event)
    registering = AvroSerializer(client, LATEST.text, conf={"auto.register.schemas": True})
    looking_up = AvroSerializer(hub.registry(), LATEST.text, conf={"auto.register.schemas": False})
    latest_version = AvroSerializer(
        hub.registry(), None, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    for serializer in (registering, looking_up, latest_version):
        assert serializer(to_avro(event), hub.context()) == ours


def test_confluent_client_sees_compatibility_checks_and_409_for_a_breaking_schema(hub: ServedHub) -> None:
    client = hub.registry()
    subject = f"{hub.settings.agency_topic('qltt')}-value"
    assert client.test_compatibility(subject, Schema(json.dumps(EVOLVED), "AVRO")) is True
    breaking = copy.deepcopy(EVOLVED)
    breaking["fields"].append({"name": "reviewer", "type": "string"})
    assert client.test_compatibility(subject, Schema(json.dumps(breaking), "AVRO")) is False
    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema(subject, Schema(json.dumps(breaking), "AVRO"))
    assert (refused.value.http_status_code, refused.value.error_code) == (409, 40901)
    assert "reviewer: reader field has no default and writer lacks it" in refused.value.error_message
    assert client.get_compatibility() == "BACKWARD_TRANSITIVE"


def test_events_serialized_by_confluent_on_older_and_newer_schemas_are_materialized(hub: ServedHub) -> None:
    create_topics(hub.settings)
    old_event = opened(case_id="VN-2025-QLTT-INTEROP2")
    new_event = penalty(case_id="VN-2025-QLTT-INTEROP2", fine=25_000_000)
    old_writer = AvroSerializer(hub.registry(), OLDEST.text)
    new_writer = AvroSerializer(hub.registry(), json.dumps(EVOLVED))
    old_bytes = old_writer(as_written_by(OLDEST.text, old_event), hub.context())
    new_bytes = new_writer({**to_avro(new_event), NOTE_FIELD: "written by confluent-kafka"}, hub.context())
    assert old_bytes is not None and new_bytes is not None
    assert unframe(old_bytes)[0] == OLDEST.schema_id
    assert unframe(new_bytes)[0] >= FIRST_REGISTERED_ID
    produce(hub, [(old_event.case_id, old_bytes), (new_event.case_id, new_bytes)])

    materializer = build_materializer(hub.settings, hub.store)
    try:
        stats = materializer.run(threading.Event(), idle_exit_s=5)
    finally:
        materializer.source.close()
        materializer.dead_letter_sink.close()

    assert (stats.events, stats.dead_letters) == (2, 0)
    with hub.engine.connect() as connection:
        timeline = case_timeline(connection, old_event.case_id)
    assert [e["event_id"] for e in timeline] == [str(old_event.event_id), str(new_event.event_id)]
    assert timeline[1]["payload"]["fine_vnd"] == 25_000_000


def test_our_publisher_bytes_decode_with_confluent_deserializers_old_and_new(hub: ServedHub) -> None:
    create_topics(hub.settings)
    events = [opened(case_id="VN-2025-QLTT-INTEROP3"), penalty(case_id="VN-2025-QLTT-INTEROP3")]
    publisher = build_publisher(hub.settings)
    try:
        assert publisher.publish(events).sent == 2
    finally:
        publisher.close()
    records = read_all(hub.settings.kafka_bootstrap, hub.settings.agency_topic("qltt"), expected=2)
    values = {record.value for record in records}  # type: ignore[attr-defined]
    assert len(values) == 2

    as_written = AvroDeserializer(hub.registry())
    as_newer = AvroDeserializer(hub.registry(), json.dumps(EVOLVED))
    as_oldest = AvroDeserializer(hub.registry(), OLDEST.text)
    by_id = {str(e.event_id): e for e in events}
    for value in values:
        plain = as_written(value, hub.context())
        assert isinstance(plain, dict)
        event = by_id[str(plain["event_id"])]
        assert CaseEvent.model_validate(plain) == event
        newer = as_newer(value, hub.context())
        assert isinstance(newer, dict) and newer[NOTE_FIELD] is None
        assert {k: v for k, v in newer.items() if k != NOTE_FIELD} == plain
        oldest = as_oldest(value, hub.context())
        assert isinstance(oldest, dict)
        assert oldest["payload"] == as_written_by(OLDEST.text, event)["payload"][1]


def test_confluent_client_signs_in_with_a_bearer_token_and_is_refused_without_one(hub: ServedHub) -> None:
    subject = f"{hub.settings.agency_topic('police')}-value"
    bearer = SchemaRegistryClient(
        {
            "url": hub.url,
            "bearer.auth.credentials.source": "STATIC_TOKEN",
            "bearer.auth.token": hub.token,
            "bearer.auth.logical.cluster": "casehub",  # required by the client; the hub has one registry
        }
    )
    assert bearer.get_latest_version(subject).schema_id == LATEST.schema_id
    with pytest.raises(SchemaRegistryError) as refused:
        SchemaRegistryClient({"url": hub.url}).set_compatibility(subject, "NONE")
    assert (refused.value.http_status_code, refused.value.error_code) == (401, 40101)
    with pytest.raises(SchemaRegistryError) as wrong:
        SchemaRegistryClient(
            {"url": hub.url, "basic.auth.user.info": f"{STEWARD.principal_id}:nope"}
        ).get_subjects()
    assert wrong.value.http_status_code == 401
    assert bearer.get_compatibility() == "BACKWARD_TRANSITIVE"  # the refused change did not land
