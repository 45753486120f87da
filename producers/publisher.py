"""Publish case events: validate (pydantic + reference rules) → encode (Avro, Confluent framing) → send.

The library an agency's own Python code uses with only `schemas` and `producers` installed:
idempotent, acks=all, keyed by case id (so a case's events stay in order on one partition),
compressed and batched, with a confirmation (topic, partition, offset) for every event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple, TypeVar

import structlog
from kafka import KafkaProducer
from kafka import codec as kafka_codec
from kafka.errors import KafkaError

from producers.errors import DeliveryFailed, EventRejected, PublishError
from schemas.codec import CaseEventCodec
from schemas.errors import BrokerUnavailable, CasehubError
from schemas.events import CaseEvent
from schemas.validation import check_event

__all__ = [
    "Delivery",
    "FailedEvent",
    "PublishError",
    "PublishReport",
    "Publisher",
    "available_compression",
    "checked_wire_bytes",
]

logger = structlog.get_logger()
T = TypeVar("T")
_WINDOW = 20_000
"""Events in flight before the publisher waits for confirmations (bounds memory on endless streams)."""
_LOGGED_FAILURES = 20


def available_compression() -> str:
    """The best codec kafka-python can use here: lz4, zstd and snappy need extra libraries, gzip does not."""
    optional = (
        ("lz4", kafka_codec.has_lz4),
        ("zstd", kafka_codec.has_zstd),
        ("snappy", kafka_codec.has_snappy),
    )
    return next((name for name, present in optional if present()), "gzip")


@dataclass(frozen=True, slots=True)
class Delivery:
    """The broker's confirmation that an event is stored: where it landed."""

    event_id: str
    case_id: str
    topic: str
    partition: int
    offset: int


class FailedEvent(NamedTuple):
    event_id: str
    reason: str


@dataclass
class PublishReport:
    """What one `publish` call achieved: confirmed deliveries and every event that failed, with why."""

    sent: int = 0
    failed: list[FailedEvent] = field(default_factory=list)
    rejected_ids: set[str] = field(default_factory=set)
    """The failed events that broke the contract and were never sent (the broker refused the others)."""
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejected_ids)

    def raise_for_failures(self) -> None:
        """Raise the first failure as a typed error, for callers that want all-or-error."""
        if not self.failed:
            return
        event_id, reason = self.failed[0]
        more = f" (and {len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
        error = EventRejected if event_id in self.rejected_ids else DeliveryFailed
        raise error(event_id, reason + more)


class Publisher:
    """Sends events idempotently with acks=all; `topic_of` maps an agency code to its topic.

    `publish` always flushes before it returns, so a long linger costs no latency: it only lets the
    batches of a large call fill up (kafka-python wakes its sender thread per batch, which competes
    for the GIL with encoding: big batches roughly doubled the send rate on our 2-core machines).
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        topic_of: Callable[[str], str],
        codec: CaseEventCodec | None = None,
        connect_timeout_s: float = 10.0,
        client_id: str = "casehub-publisher",
        compression: str | None = "auto",
        linger_ms: int = 100,
        batch_size: int = 1024 * 1024,
        delivery_timeout_s: float | None = None,
    ) -> None:
        self.codec = codec or CaseEventCodec()
        self.topic_of = topic_of
        self.bootstrap = bootstrap
        self.compression = available_compression() if compression == "auto" else compression
        try:
            self.producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                client_id=client_id,
                acks="all",
                enable_idempotence=True,
                compression_type=self.compression,
                linger_ms=linger_ms,
                batch_size=batch_size,
                max_block_ms=int(connect_timeout_s * 1000),
                delivery_timeout_ms=int((delivery_timeout_s or max(30.0, connect_timeout_s * 3)) * 1000),
                request_timeout_ms=int(connect_timeout_s * 1000),
                bootstrap_timeout_ms=int(connect_timeout_s * 1000),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc

    def prepare(self, event: CaseEvent) -> bytes:
        """The wire bytes of a valid event; EventRejected names the event and the broken rule."""
        return checked_wire_bytes(self.codec, event)

    def send(self, event: CaseEvent) -> Delivery:
        """Publish one event and wait for its confirmation; raises EventRejected or DeliveryFailed."""
        report = self.publish([event])
        report.raise_for_failures()
        return report.deliveries[0]

    def publish(
        self, events: Iterable[CaseEvent], on_delivery: Callable[[Delivery], None] | None = None
    ) -> PublishReport:
        """Send every event and wait until the broker confirmed each; failures are reported, not raised."""
        return self.publish_prepared(((event, None) for event in events), on_delivery)

    def publish_prepared(
        self,
        prepared: Iterable[tuple[CaseEvent, bytes | None]],
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> PublishReport:
        """`publish` for callers that already validated and encoded (with `checked_wire_bytes`): the
        bytes are sent as they are; None means "validate and encode here"."""
        started = time.monotonic()
        report = PublishReport()
        for window in _windows(iter(prepared), _WINDOW):
            self._publish_window(window, report, on_delivery)
        logger.info(
            "events_published",
            sent=report.sent,
            failed=len(report.failed),
            rejected=report.rejected,
            compression=self.compression,
            seconds=round(time.monotonic() - started, 3),
        )
        return report

    def _publish_window(
        self,
        window: list[tuple[CaseEvent, bytes | None]],
        report: PublishReport,
        on_delivery: Callable[[Delivery], None] | None,
    ) -> None:
        pending: list[tuple[CaseEvent, Any]] = []
        unreachable: str | None = None
        for event, encoded in window:
            if unreachable is not None:
                self._fail(report, event, unreachable)
                continue
            try:
                value = encoded if encoded is not None else self.prepare(event)
            except EventRejected as exc:
                report.rejected_ids.add(exc.event_id)
                self._fail(report, event, exc.reason)
                continue
            topic = self.topic_of(event.agency)
            try:
                future = self.producer.send(topic, key=event.case_id.encode(), value=value)
            except KafkaError as exc:  # no metadata within max_block_ms: broker down or topic missing
                unreachable = f"{type(exc).__name__}: no answer for topic {topic} from {self.bootstrap}"
                self._fail(report, event, unreachable)
                continue
            pending.append((event, future))
        self.producer.flush()
        for event, future in pending:
            try:
                metadata = future.get(timeout=0)
            except KafkaError as exc:
                self._fail(report, event, f"{type(exc).__name__}: {exc}")
                continue
            report.sent += 1
            delivery = Delivery(
                str(event.event_id), event.case_id, metadata.topic, metadata.partition, metadata.offset
            )
            report.deliveries.append(delivery)
            if on_delivery is not None:
                on_delivery(delivery)

    @staticmethod
    def _fail(report: PublishReport, event: CaseEvent, reason: str) -> None:
        report.failed.append(FailedEvent(str(event.event_id), reason))
        if len(report.failed) <= _LOGGED_FAILURES:  # the summary line counts the rest
            logger.warning(
                "event_not_published", event_id=str(event.event_id), case_id=event.case_id, reason=reason
            )

    def close(self) -> None:
        self.producer.close(timeout=5)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def checked_wire_bytes(codec: CaseEventCodec, event: CaseEvent) -> bytes:
    """Validate an event against the reference rules and encode it; EventRejected says why not."""
    try:
        check_event(event)
        return codec.encode(event)
    except CasehubError as exc:
        raise EventRejected(str(event.event_id), str(exc)) from exc


def _windows(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while window := list(islice(items, size)):
        yield window
