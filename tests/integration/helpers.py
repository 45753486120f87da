"""Per-test settings with a random topic prefix and consumer group, and raw Kafka access."""

from __future__ import annotations

import threading
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer

from consumers.materializer import MaterializerStats
from services.bootstrap import build_materializer, cluster_offsets
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.broker_access.provisioning import grant_table
from services.settings import Settings
from services.store.sql_store import SqlCaseStore


def isolated_settings(bootstrap: str, database_url: str) -> Settings:
    """Settings whose topics and group no other test uses, with the ACL table applied to them."""
    tag = uuid.uuid4().hex[:10]
    settings = Settings(
        kafka_bootstrap=bootstrap,
        database_url=database_url,
        topic_prefix=f"t{tag}.cases.",
        dead_letter_topic=f"t{tag}.deadletters",
        alerts_topic_prefix=f"t{tag}.alerts.",
        consumer_group=f"g{tag}",
        topic_partitions=3,
        connect_timeout_s=10,
    )
    if settings.kafka_security != "plaintext":
        grant_table(settings)
    return settings


def ops_options() -> dict[str, object]:
    """kafka-python options of the ops user (DESCRIBE everything, READ only the commit log)."""
    return client_options(Settings(), Role.OPS)


def admin_options() -> dict[str, object]:
    """kafka-python options of the hub admin on the session's broker (raw access for checks)."""
    return client_options(Settings(), Role.ADMIN)


def send_raw(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **admin_options())
    for value in values:
        producer.send(topic, key=b"poison", value=value)
    producer.flush()
    producer.close()


def read_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 20) -> list[object]:
    """Every record on the topic: waits up to `timeout_s` for `expected`, then drains what follows."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
        **admin_options(),
    )
    records: list[object] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch = list(consumer)
        records.extend(batch)
        if len(records) >= expected and not batch:
            break
    consumer.close()
    return records


def materialize_until_idle(
    settings: Settings, store: SqlCaseStore, idle_s: float = 3, timeout_s: float = 120
) -> MaterializerStats:
    """Run the hub's materializer on the settings' topics until it has stored every record the agency
    topics held when called and then nothing arrived for `idle_s`; close it; the stats of every run.

    Idle time alone is not enough on a loaded machine: the first fetch after the group assigns the
    partitions can take longer than `idle_s`, and the run would end before reading what was published."""
    ends = agency_log_ends(settings)
    total = MaterializerStats()
    deadline = time.monotonic() + timeout_s
    while True:
        materializer = build_materializer(settings, store)
        try:
            stats = materializer.run(threading.Event(), idle_exit_s=idle_s)
        finally:
            materializer.source.close()
            materializer.dead_letter_sink.close()
        total += stats
        stored = store.stored_offsets(settings.consumer_group)
        behind = {key: end for key, end in ends.items() if stored.get(key, 0) < end}
        if not behind:
            return total
        if time.monotonic() > deadline:
            raise AssertionError(f"materializer still behind the log after {timeout_s:.0f} s: {behind}")


def agency_log_ends(settings: Settings) -> dict[tuple[str, int], int]:
    """The log-end offset of every partition of the settings' agency topics, now."""
    cluster = cluster_offsets(settings)
    try:
        topics = {t: n for t, n in cluster.topic_partitions().items() if t.startswith(settings.topic_prefix)}
        ranges = cluster.log_ranges([(t, p) for t, n in topics.items() for p in range(n)])
    finally:
        cluster.close()
    return {key: span.end for key, span in ranges.items()}
