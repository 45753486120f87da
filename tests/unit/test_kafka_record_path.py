"""The plain send path (public `KafkaProducer.send`) reports what `send` refuses at once per record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from kafka.structs import TopicPartition

from producers.kafka_record_path import RecordPath

TP = TopicPartition("casehub.cases.qltt", 0)


class NoBufferProducer(KafkaProducer):  # type: ignore[misc]
    """A real producer whose buffer never frees up: `send` times out waiting for space."""

    def send(self, *args: Any, **kwargs: Any) -> Any:
        raise KafkaTimeoutError("Failed to allocate memory within the configured max blocking time")


@pytest.fixture
def options() -> Iterator[dict[str, Any]]:
    yield {"bootstrap_servers": "127.0.0.1:9", "api_version": (3, 0)}


def test_a_record_send_refuses_is_a_done_ticket_with_the_reason(options: dict[str, Any]) -> None:
    producer = NoBufferProducer(**options)
    try:
        ticket = RecordPath(producer).window().append(TP, 0, b"VN-1", b"x")
        assert ticket.wait(0) is True
        reason = ticket.landing(0)
        assert isinstance(reason, str) and reason.startswith("KafkaTimeoutError: ")
        assert reason.endswith("Failed to allocate memory within the configured max blocking time")
    finally:
        producer.close(timeout=1)
