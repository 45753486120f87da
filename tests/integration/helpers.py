"""Per-test settings with a random topic prefix and consumer group, and raw Kafka access."""

from __future__ import annotations

import threading
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer

from consumers.materializer import MaterializerStats
from services.bootstrap import build_materializer
from services.settings import Settings
from services.store.sql_store import SqlCaseStore


def isolated_settings(bootstrap: str, database_url: str) -> Settings:
    """Settings whose topics and group no other test uses."""
    tag = uuid.uuid4().hex[:10]
    return Settings(
        kafka_bootstrap=bootstrap,
        database_url=database_url,
        topic_prefix=f"t{tag}.cases.",
        dead_letter_topic=f"t{tag}.deadletters",
        consumer_group=f"g{tag}",
        topic_partitions=3,
        connect_timeout_s=10,
    )


def send_raw(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
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


def materialize_until_idle(settings: Settings, store: SqlCaseStore, idle_s: float = 3) -> MaterializerStats:
    """Run the hub's materializer on the settings' topics until nothing arrives for `idle_s`; close it."""
    materializer = build_materializer(settings, store)
    try:
        return materializer.run(threading.Event(), idle_exit_s=idle_s)
    finally:
        materializer.source.close()
        materializer.dead_letter_sink.close()
