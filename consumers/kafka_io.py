"""kafka-python adapters for the materializer: a pattern subscription that seeks to the store's offsets,
and a dead-letter topic writer. Nothing connects until open()/first use."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import structlog
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from consumers.source import DeadLetterSink, InboundRecord, RecordSource
from schemas.errors import BrokerUnavailable, StoreUnavailable
from services.store.records import DeadLetter

logger = structlog.get_logger()


class SeekToStoredOffsets(ConsumerRebalanceListener):
    """On assignment, continue from where the store says this group got (or from the start).

    When the store cannot be read during a rebalance, the new partitions stay paused and unpositioned
    (`pending`) until `seek_pending()` succeeds, so nothing is fetched from a guessed position.
    """

    def __init__(
        self, consumer: KafkaConsumer, stored_offsets: Callable[[], dict[tuple[str, int], int]]
    ) -> None:
        self.consumer = consumer
        self.stored_offsets = stored_offsets
        self.pending: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.pending -= set(revoked)
        logger.info("partitions_revoked", partitions=sorted(f"{tp.topic}-{tp.partition}" for tp in revoked))

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.pending |= set(assigned)
        self.consumer.pause(*assigned)
        self.seek_pending()
        logger.info("partitions_assigned", partitions=sorted(f"{tp.topic}-{tp.partition}" for tp in assigned))

    def seek_pending(self) -> bool:
        """Position every pending partition at the store's offset; False while the store is unavailable."""
        if not self.pending:
            return True
        try:
            offsets = self.stored_offsets()
        except StoreUnavailable as exc:
            logger.warning(
                "offsets_unavailable_partitions_paused", reason=str(exc), partitions=len(self.pending)
            )
            return False
        owned = self.pending & self.consumer.assignment()
        for tp in owned:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, stored)
        self.consumer.resume(*owned)
        self.pending.clear()
        return True


class KafkaRecordSource(RecordSource):
    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topic_pattern: str,
        stored_offsets: Callable[[], dict[tuple[str, int], int]],
        max_poll_records: int = 2000,
        session_timeout_ms: int = 10_000,
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
    ) -> None:
        try:
            self.consumer = KafkaConsumer(
                bootstrap_servers=bootstrap,
                group_id=group,
                client_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=max_poll_records,
                max_poll_interval_ms=60_000,
                session_timeout_ms=session_timeout_ms,
                heartbeat_interval_ms=max(1_000, session_timeout_ms // 3),
                metadata_max_age_ms=5_000,
                fetch_max_bytes=16 * 1024 * 1024,
                bootstrap_timeout_ms=int(connect_timeout_s * 1000),
                **dict(security or {}),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc
        self.listener = SeekToStoredOffsets(self.consumer, stored_offsets)
        self.consumer.subscribe(pattern=topic_pattern, listener=self.listener)

    def poll(self, timeout_s: float) -> list[InboundRecord]:
        self.listener.seek_pending()
        try:
            polled = self.consumer.poll(timeout_ms=int(timeout_s * 1000))
        except KafkaError as exc:
            # A broker outage surfaces here (e.g. the coordinator lookup): wait, and let the next poll
            # reconnect; the store still holds every committed position.
            logger.warning("broker_unavailable_polling", error=type(exc).__name__, reason=str(exc))
            time.sleep(timeout_s)
            return []
        return [
            InboundRecord(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, tuple(r.headers or ()))
            for records in polled.values()
            for r in records
        ]

    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        if not next_offsets:
            return
        offsets = {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in next_offsets.items()}
        try:
            self.consumer.commit(offsets)
        except KafkaError as exc:
            # The store already holds these offsets (and seeks to them on assignment); Kafka's copy
            # only feeds lag tools and catches up with the next commit.
            logger.warning("kafka_commit_failed", error=type(exc).__name__, reason=str(exc))

    def is_assigned(self) -> bool:
        return bool(self.consumer.assignment())

    def pause(self) -> None:
        self.consumer.pause(*self.consumer.assignment())

    def resume(self) -> None:
        self.consumer.resume(*(self.consumer.paused() - self.listener.pending))

    def close(self) -> None:
        self.consumer.close()


def confirming_producer(
    bootstrap: str, connect_timeout_s: float, security: Mapping[str, object] | None = None
) -> KafkaProducer:
    """A producer whose sends are confirmed by every in-sync replica, failing within the connect timeout."""
    try:
        return KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            bootstrap_timeout_ms=int(connect_timeout_s * 1000),
            max_block_ms=int(connect_timeout_s * 1000),
            delivery_timeout_ms=int(connect_timeout_s * 3000),
            request_timeout_ms=int(connect_timeout_s * 1000),
            **dict(security or {}),
        )
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc


class KafkaDeadLetterSink(DeadLetterSink):
    """Republishes rejected records to the dead-letter topic with Kafka Connect-style headers."""

    def __init__(
        self,
        *,
        bootstrap: str,
        topic: str,
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
    ) -> None:
        self.topic = topic
        self.producer = confirming_producer(bootstrap, connect_timeout_s, security)

    def publish(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        try:
            futures = [
                self.producer.send(self.topic, key=letter.key, value=letter.value, headers=_headers(letter))
                for letter in letters
            ]
            self.producer.flush()
            for future in futures:
                future.get(timeout=0)
        except KafkaError as exc:
            raise BrokerUnavailable(
                f"dead-letter topic {self.topic} unreachable: {type(exc).__name__}"
            ) from exc

    def close(self) -> None:
        self.producer.close()


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
