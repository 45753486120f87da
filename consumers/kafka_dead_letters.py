"""kafka-python adapters that write: the confirming producer, and the dead-letter topic writer (letters too
large for the topic are cut to a prefix and a digest). Nothing connects until first use."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import structlog
from kafka import KafkaProducer
from kafka.errors import KafkaError, MessageSizeTooLargeError
from kafka.producer.future import FutureRecordMetadata

from consumers.records import DeadLetter
from consumers.source import DeadLetterSink
from schemas.outages import BrokerUnavailable, reaching_kafka

logger = structlog.get_logger()


def confirming_producer(
    bootstrap: str,
    connect_timeout_s: float,
    security: Mapping[str, object] | None = None,
    max_request_size: int = 1024 * 1024,
) -> KafkaProducer:
    """A producer whose sends are confirmed by every in-sync replica, failing within the connect timeout."""
    with reaching_kafka(bootstrap, KafkaError):
        return KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            max_request_size=max_request_size,
            bootstrap_timeout_ms=int(connect_timeout_s * 1000),
            max_block_ms=int(connect_timeout_s * 1000),
            delivery_timeout_ms=int(connect_timeout_s * 3000),
            request_timeout_ms=int(connect_timeout_s * 1000),
            **dict(security or {}),
        )


DEAD_LETTER_MAX_BYTES = 4 * 1024 * 1024
"""The dead-letter topic's `max.message.bytes` (and its writer's request size): above the agency topics'
1 MB, so a rejected record of any size the agencies could send fits with its context headers."""
BROKER_DEFAULT_MAX_BYTES = 1024 * 1024
"""What a topic takes when nobody raised its limit (a dead-letter topic created by an older hub)."""
DEAD_LETTER_PREFIX_BYTES = 64 * 1024
"""What a letter too large for its topic keeps of its value on the topic; the store keeps all of it."""
_RECORD_OVERHEAD = 64 * 1024
"""Room left for the batch and record framing under a limit."""


class KafkaDeadLetterSink(DeadLetterSink):
    """Republishes rejected records to the dead-letter topic with Kafka Connect-style headers.

    A letter larger than the topic takes goes as a reference instead: the value's first 64 KiB, its size
    and SHA-256, and where the store keeps it whole (`casehub dlq show`). The size is judged before
    sending; should the broker still refuse one (a topic whose limit was never raised), the letters
    are sent again judged by the broker's default limit, so a size is never taken for an outage.
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        topic: str,
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
    ) -> None:
        self.topic = topic
        self.bootstrap = bootstrap
        self.connect_timeout_s = connect_timeout_s
        self.security = security
        self.inline_limit = DEAD_LETTER_MAX_BYTES - _RECORD_OVERHEAD
        self.producer = self._producer()

    def _producer(self) -> KafkaProducer:
        return confirming_producer(
            self.bootstrap, self.connect_timeout_s, self.security, max_request_size=DEAD_LETTER_MAX_BYTES
        )

    def publish(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        try:
            self._send_all(letters)
        except MessageSizeTooLargeError:
            if self.inline_limit <= BROKER_DEFAULT_MAX_BYTES - _RECORD_OVERHEAD:
                raise BrokerUnavailable(f"dead-letter topic {self.topic} refuses even references") from None
            logger.warning(
                "dead_letter_topic_limit_not_raised",
                topic=self.topic,
                fallback_bytes=BROKER_DEFAULT_MAX_BYTES,
            )
            self.producer.close(timeout=0)  # an idempotent producer is unusable after a refused batch
            self.producer = self._producer()
            self.inline_limit = BROKER_DEFAULT_MAX_BYTES - _RECORD_OVERHEAD
            self.publish(letters)

    def _send_all(self, letters: Sequence[DeadLetter]) -> None:
        try:
            futures = [self._send(letter) for letter in letters]
            self.producer.flush()
            for future in futures:
                future.get(timeout=0)
        except MessageSizeTooLargeError:
            raise
        except KafkaError as exc:
            raise BrokerUnavailable(
                f"dead-letter topic {self.topic} unreachable: {type(exc).__name__}"
            ) from exc

    def _send(self, letter: DeadLetter) -> FutureRecordMetadata:
        value, headers = letter.value, _headers(letter)
        size = len(letter.key or b"") + len(value or b"") + sum(len(k) + len(v) for k, v in headers)
        if size > self.inline_limit:
            value, headers = _reference(letter)
        return self.producer.send(self.topic, key=letter.key, value=value, headers=headers)

    def close(self) -> None:
        self.producer.close()


def _reference(letter: DeadLetter) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    """A letter too large for the topic: a prefix of its value and where the whole of it is kept."""
    value = letter.value or b""
    headers = [
        *_headers(letter),
        ("casehub.errors.value.truncated", b"true"),
        ("casehub.errors.value.size", str(len(value)).encode()),
        ("casehub.errors.value.sha256", hashlib.sha256(value).hexdigest().encode()),
        ("casehub.errors.value.kept", b"store table dead_letters (casehub dlq show)"),
    ]
    return value[:DEAD_LETTER_PREFIX_BYTES], headers


def _headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """Kafka Connect-style error context, so standard tools can show why a record was rejected."""
    return [
        ("casehub.errors.topic", letter.topic.encode()),
        ("casehub.errors.partition", str(letter.partition).encode()),
        ("casehub.errors.offset", str(letter.offset).encode()),
        ("casehub.errors.exception.class.name", letter.error_class.encode()),
        ("casehub.errors.exception.message", letter.error_message.encode()),
        ("casehub.errors.consumer.group", letter.consumer_group.encode()),
        ("casehub.errors.time", letter.created_at.isoformat().encode()),
    ]
