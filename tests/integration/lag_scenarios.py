"""Consumer groups put into a known state with raw kafka-python clients, for lag tests on a real broker."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition

from tests.integration.helpers import admin_options

COMMIT_GAP_S = 0.5


def produce(bootstrap: str, topic: str, count: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **admin_options())
    for number in range(count):
        producer.send(topic, key=b"case", value=f"message {number}".encode())
    producer.flush()
    producer.close()


def commit_offsets(bootstrap: str, group: str, topic: str, offsets: list[int]) -> float:
    """Commit each offset in turn, COMMIT_GAP_S apart, as a consumer of `group` that reads nothing."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **admin_options()
    )
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    for index, offset in enumerate(offsets):
        if index:
            time.sleep(COMMIT_GAP_S)
        consumer.commit({partition: OffsetAndMetadata(offset, "", -1)})
    committed_at = time.time()
    consumer.close()
    return committed_at
