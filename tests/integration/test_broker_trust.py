"""Refusals on the real secured broker: the ACL table enforced by Kafka itself, not by our code.

Each test logs in as a real SCRAM user of the session broker (credentials provisioned from the
principal table) and checks what Kafka answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAuthorizationFailedError
from kafka.structs import TopicPartition
from pydantic import SecretStr

from producers.publisher import Publisher
from producers.simulator import simulate_events
from services.bootstrap import build_materializer, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.credentials import credential_file, read_properties
from services.broker_access.principals import Role, grants, readers_of
from services.broker_access.provisioning import admin_options, describe_grants, rotate
from services.settings import Settings
from services.store.queries import store_counts
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(kafka_bootstrap: str, sqlite_url: str) -> Settings:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    return settings


def as_user(settings: Settings, user: str, password: str | None = None) -> dict[str, object]:
    """Options of a client logged in as `user` (its own password unless one is given)."""
    options = client_options(settings, user)
    if password is not None:
        options["sasl_plain_password"] = password
    return options


def test_customs_cannot_write_the_qltt_topic_and_nothing_is_stored(settings: Settings) -> None:
    qltt_events = [e for e in simulate_events(200, seed=5) if e.agency == "qltt"][:20]
    assert qltt_events
    with Publisher(
        bootstrap=settings.kafka_bootstrap,
        topic_of=settings.agency_topic,
        connect_timeout_s=5,
        security=as_user(settings, "customs"),
    ) as publisher:
        report = publisher.publish(qltt_events)
    assert report.sent == 0
    assert len(report.failed) == len(qltt_events)
    reasons = {reason for _, reason in report.failed}
    assert reasons == {
        f"TopicAuthorizationFailedError: Kafka user 'customs' has no WRITE ACL on topic "
        f"{settings.agency_topic('qltt')}"
    }
    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    try:
        stats = materializer.run(threading.Event(), idle_exit_s=3)
    finally:
        materializer.source.close()
        materializer.dead_letter_sink.close()
    assert stats.records == 0
    with engine.connect() as connection:
        assert store_counts(connection)["events"] == 0


def test_qltt_writes_its_own_topic(settings: Settings) -> None:
    """The positive control of the refusal above: the same client code, the agency's own topic."""
    qltt_events = [e for e in simulate_events(200, seed=5) if e.agency == "qltt"][:20]
    with Publisher(
        bootstrap=settings.kafka_bootstrap,
        topic_of=settings.agency_topic,
        connect_timeout_s=5,
        security=as_user(settings, "qltt"),
    ) as publisher:
        report = publisher.publish(qltt_events)
    assert report.sent == len(qltt_events) and not report.failed


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"security_protocol": "PLAINTEXT"}, id="anonymous-plaintext"),
        pytest.param({"security_protocol": "SSL"}, id="anonymous-tls"),
    ],
)
def test_anonymous_clients_are_refused_at_connect(settings: Settings, options: dict[str, object]) -> None:
    if options["security_protocol"] == "SSL":
        options = {**options, "ssl_cafile": str(settings.ca_file)}
    with pytest.raises(KafkaError):
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap,
            request_timeout_ms=4000,
            bootstrap_timeout_ms=4000,
            **options,
        )
        try:
            admin.list_topics()
        finally:
            admin.close()


@pytest.mark.parametrize("user", ["qltt", "admin", "nobody"])
def test_a_wrong_password_is_refused_at_connect(settings: Settings, user: str) -> None:
    options = {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": user,
        "sasl_plain_password": "wrong-" + uuid.uuid4().hex,
        "ssl_cafile": str(settings.ca_file),
    }
    with pytest.raises(KafkaError):
        producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            max_block_ms=4000,
            bootstrap_timeout_ms=4000,
            **options,
        )
        producer.close()


def read_one(settings: Settings, options: dict[str, object], topic: str) -> list[object]:
    """Fetch partition 0 of `topic` from the start (a consumer's ListOffsets, then Fetch)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=5000,
        **options,
    )
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek(partition, consumer.beginning_offsets([partition])[partition])
        return [r for batch in consumer.poll(timeout_ms=4000).values() for r in batch]
    finally:
        consumer.close()


def test_qltt_cannot_read_the_police_topic(settings: Settings) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        read_one(settings, as_user(settings, "qltt"), settings.agency_topic("police"))


def test_ops_sees_the_police_topic_but_cannot_read_it(settings: Settings) -> None:
    """DESCRIBE (offsets, for lag) is granted to ops; READ of the records is not."""
    with pytest.raises(TopicAuthorizationFailedError):
        read_one(settings, as_user(settings, "ops"), settings.agency_topic("police"))


def test_the_materializer_reads_the_police_topic(settings: Settings) -> None:
    """The positive control: a hub consumer's user is allowed (the topic is empty, so nothing comes)."""
    assert read_one(settings, as_user(settings, "materializer"), settings.agency_topic("police")) == []


def test_qltt_reads_its_own_alerts_and_not_another_agencys(settings: Settings) -> None:
    assert read_one(settings, as_user(settings, "qltt"), settings.alerts_topic_of("qltt")) == []
    with pytest.raises(TopicAuthorizationFailedError):
        read_one(settings, as_user(settings, "qltt"), settings.alerts_topic_of("customs"))


def test_only_the_hub_consumers_may_read_the_police_topic(settings: Settings) -> None:
    """On the broker: describe ACLs, and the readers of the police topic are the two hub consumers."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **admin_options(settings))
    try:
        held = describe_grants(admin)
    finally:
        admin.close()
    table = grants(settings)
    assert table <= held
    police = settings.agency_topic("police")
    assert readers_of(police, held) == {Role.MATERIALIZER.value, Role.ENTITIES.value}


def test_a_password_never_shows_in_settings_or_options_reprs(settings: Settings) -> None:
    secret = "s3cret-" + uuid.uuid4().hex
    shown = Settings(kafka_password=SecretStr(secret), kafka_username="qltt")
    assert secret not in repr(shown) and secret not in str(shown.model_dump())


def test_casehub_publish_as_the_wrong_agency_says_which_acl(settings: Settings, tmp_path: Path) -> None:
    qltt_events = [e for e in simulate_events(200, seed=8) if e.agency == "qltt"][:5]
    events_file = tmp_path / "qltt.jsonl"
    events_file.write_text("".join(e.model_dump_json() + "\n" for e in qltt_events), encoding="utf-8")
    env = {
        **os.environ,
        "CASEHUB_HOME": str(tmp_path),
        "CASEHUB_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "CASEHUB_TOPIC_PREFIX": settings.topic_prefix,
        "CASEHUB_KAFKA_USERNAME": "customs",
        "CASEHUB_CONNECT_TIMEOUT_S": "5",
    }
    casehub = str(Path(sys.executable).with_name("casehub"))
    result = subprocess.run(
        [casehub, "publish", str(events_file)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Published 0 events; 5 failed." in result.stdout
    said = [line for line in result.stderr.splitlines() if not line.startswith("{")]  # not the JSON log
    refusals = [line for line in said if "ACL" in line]
    assert refusals == [
        f"  5 events: TopicAuthorizationFailedError: Kafka user 'customs' has no WRITE ACL on topic "
        f"{settings.agency_topic('qltt')}"
    ]
    assert "Traceback" not in result.stderr


def librdkafka_config(path: Path) -> dict[str, str]:
    """The credential file as confluent-kafka takes it (docs/security.md shows the same keys)."""
    return read_properties(path)


def test_confluent_kafka_publishes_and_consumes_through_sasl_ssl(settings: Settings) -> None:
    """librdkafka, a client we did not write, with nothing but the agency's credential file."""
    from confluent_kafka import Consumer, KafkaException, Producer

    qltt = librdkafka_config(credential_file(settings.credentials_dir, "qltt"))
    qltt["bootstrap.servers"] = settings.kafka_bootstrap
    producer = Producer({**qltt, "enable.idempotence": True, "acks": "all"})
    topic = settings.agency_topic("qltt")
    delivered: list[object] = []
    for n in range(3):
        producer.produce(
            topic, key=b"k", value=f"v{n}".encode(), on_delivery=lambda e, m: delivered.append(e)
        )
    assert producer.flush(30) == 0
    assert delivered == [None, None, None]
    try:
        producer.produce(
            settings.agency_topic("police"), value=b"x", on_delivery=lambda e, m: delivered.append(e)
        )
        producer.flush(30)
        refused = delivered[-1]
    except KafkaException as exc:  # librdkafka may already know the topic is refused: produce() raises
        refused = exc.args[0]
    assert refused is not None and "TOPIC_AUTHORIZATION_FAILED" in str(refused.name())  # type: ignore[attr-defined]

    reader = librdkafka_config(credential_file(settings.credentials_dir, "materializer"))
    reader["bootstrap.servers"] = settings.kafka_bootstrap
    consumer = Consumer({**reader, "group.id": settings.consumer_group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    seen: list[bytes] = []
    deadline = time.monotonic() + 30
    try:
        while len(seen) < 3 and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            seen.append(message.value())
    finally:
        consumer.close()
    assert sorted(seen) == [b"v0", b"v1", b"v2"]


def test_rotation_keeps_open_sessions_and_refuses_the_old_password(settings: Settings) -> None:
    user = "tax"
    old = as_user(settings, user)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", **old)
    topic = settings.agency_topic(user)
    try:
        producer.send(topic, b"before").get(timeout=20)
        path = rotate(settings, user)
        assert path.stat().st_mode & 0o777 == 0o600
        producer.send(topic, b"after rotation, same session").get(timeout=20)  # no downtime
    finally:
        producer.close()
    with pytest.raises(KafkaError):
        KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap, max_block_ms=4000, bootstrap_timeout_ms=4000, **old
        ).close()
    fresh = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", **as_user(settings, user))
    try:
        fresh.send(topic, b"new login").get(timeout=20)
    finally:
        fresh.close()
