"""Publish case events: validate (pydantic + reference rules) → encode (Avro, Confluent framing) → send.

The library an agency's own Python code uses with only `schemas` and `producers` installed:
idempotent, acks=all, keyed by case id (so a case's events stay in order on one partition),
compressed and batched, with a confirmation (topic, partition, offset) for every event.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from kafka import KafkaProducer
from kafka.errors import KafkaError, MessageSizeTooLargeError, TopicAuthorizationFailedError
from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition

from producers.broker_probe import any_address_answers
from producers.errors import EventRejected, PublishError
from producers.kafka_batch_fast_path import BatchPath
from producers.kafka_record_path import RecordPath
from producers.producer_options import available_compression, producer_options
from producers.publish_report import Delivery, FailedEvent, PublishReport
from producers.publish_windows import Unprepared, Window, windows_of
from producers.send_path import Landing, SendPath, Ticket
from producers.wire_bytes import checked_wire_bytes
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from schemas.fast_path_declines import FastPathDeclines
from schemas.outages import reaching_kafka

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
_IN_FLIGHT = 2
"""Windows handed over and not yet confirmed while the next is prepared: the sender's round trips overlap
the CPU work, and memory stays bounded on endless streams."""
_LOGGED_FAILURES = 20
_CACHED_KEYS = 200_000
"""Case ids whose key hash is remembered (a case has several events; murmur2 is pure Python)."""


class Publisher:
    """Sends events idempotently with acks=all; `topic_of` maps an agency code to its topic.

    Each record goes to the partition kafka-python's default partitioner would pick for the case id,
    through a send path (`producers/send_path.py`): by default `kafka_batch_fast_path` (our own record
    batches queued whole to kafka-python's sender, through its internals; a batch's confirmation gives
    each of its events its offset), else the public `KafkaProducer.send` (`kafka_record_path`) when the
    fast path declines for this kafka-python (logged as `fast_path_declined`, counted in
    `fast_path.declines`) or `fast_path=False`. `publish` returns when every event is confirmed or
    failed, so nothing waits for linger: records are sent as soon as they are handed over, a window at
    a time.
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
        linger_ms: int = 0,
        batch_size: int = 1024 * 1024,
        delivery_timeout_s: float | None = None,
        security: Mapping[str, object] | None = None,
        fast_path: bool = True,
    ) -> None:
        self.codec = codec or CaseEventCodec()
        self.topic_of = topic_of
        self.bootstrap = bootstrap
        self.user = str((security or {}).get("sasl_plain_username") or "anonymous")
        self.compression = available_compression() if compression == "auto" else compression
        self.delivery_timeout_s = delivery_timeout_s or max(30.0, connect_timeout_s * 3)
        self.connect_timeout_s = connect_timeout_s
        self._options = producer_options(
            bootstrap=bootstrap,
            client_id=client_id,
            compression=self.compression,
            linger_ms=linger_ms,
            batch_size=batch_size,
            connect_timeout_s=connect_timeout_s,
            delivery_timeout_s=self.delivery_timeout_s,
            security=security,
        )
        self._wants_fast_path = fast_path
        self._producer: KafkaProducer | None = None
        self._path: SendPath | None = None
        self._key_hashes: dict[str, int] = {}
        self._announced: set[str] = set()
        self.fast_path = FastPathDeclines("kafka_batch_fast_path")
        """Why the publisher took the plain `send` path instead of its own batches (counted, logged)."""

    def start(self) -> None:
        """Connect and choose the send path (idempotent): a broker that does not answer within the connect
        timeout is BrokerUnavailable."""
        if self._producer is not None:
            return
        with reaching_kafka(self.bootstrap, KafkaError):
            producer = KafkaProducer(**self._options)
        self._path = self._choose_path(producer)
        self._producer = producer

    @property
    def producer(self) -> KafkaProducer:
        """The connected producer (connecting on first use)."""
        self.start()
        assert self._producer is not None
        return self._producer

    @property
    def path(self) -> SendPath:
        """How records go to the sender: our own batches, or `KafkaProducer.send` (connecting first)."""
        self.start()
        assert self._path is not None
        return self._path

    def _choose_path(self, producer: KafkaProducer) -> SendPath:
        if not self._wants_fast_path:
            return RecordPath(producer)
        refusal = BatchPath.refusal(producer)
        if refusal is None:
            return BatchPath(producer)
        self.fast_path.declined("kafka_internals_changed", detail=refusal, taken="kafka_record_send")
        return RecordPath(producer)

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
        return self.publish_prepared(Unprepared(events), on_delivery)

    def publish_prepared(
        self,
        prepared: Iterable[tuple[CaseEvent, bytes | None]],
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> PublishReport:
        """`publish` for callers that already validated and encoded (with `checked_wire_bytes`): the
        bytes are sent as they are; None means "validate and encode here"."""
        return self._publish(windows_of(prepared), on_delivery)

    def _publish(
        self,
        windows: Iterator[Window],
        on_delivery: Callable[[Delivery], None] | None,
    ) -> PublishReport:
        started = time.monotonic()
        report = PublishReport()
        state = _CallState()
        in_flight: deque[tuple[list[CaseEvent], list[Ticket | None]]] = deque()
        for events, encoded in windows:  # an exception (a bug, Ctrl-C) leaves without waiting, as before
            in_flight.append((events, self._send_window(events, encoded, report, state)))
            if len(in_flight) > _IN_FLIGHT:
                self._confirm(*in_flight.popleft(), report, on_delivery, state)
        while in_flight:
            self._confirm(*in_flight.popleft(), report, on_delivery, state)
        logger.info(
            "events_published",
            sent=report.sent,
            failed=len(report.failed),
            rejected=report.rejected,
            compression=self.compression,
            path=self.path.name,
            seconds=round(time.monotonic() - started, 3),
        )
        return report

    def _send_window(
        self,
        events: list[CaseEvent],
        encoded: list[bytes | None] | None,
        report: PublishReport,
        state: _CallState,
    ) -> list[Ticket | None]:
        """Validate, encode and pack one window and hand it to the sender, without waiting; the ticket
        (batch or record) each event went into (None: failed here), in the window's order."""
        placed: list[Ticket | None] = [None] * len(events)
        queue = self.path.window()
        topics: dict[str, list[TopicPartition] | None] = {}
        hashes = self._key_hashes
        if len(hashes) > _CACHED_KEYS:
            hashes.clear()
        prepare = self.prepare
        self._announce_topics(events)
        timestamp = int(time.time() * 1000)
        try:
            for position, event in enumerate(events):
                if state.unreachable is not None:
                    self._fail(report, event, state.unreachable)
                    continue
                value = encoded[position] if encoded is not None else None
                try:
                    if value is None:
                        value = prepare(event)
                except EventRejected as exc:
                    report.rejected_ids.add(exc.event_id)
                    self._fail(report, event, exc.reason)
                    continue
                agency = event.agency
                partitions = topics.get(agency, _UNSEEN)
                if partitions is _UNSEEN:
                    partitions = topics[agency] = self._partitions(agency, state)
                if partitions is None:  # no metadata within max_block_ms: broker down or topic missing
                    self._fail(report, event, state.unreachable or "no partitions")
                    continue
                case_id = event.case_id
                key = case_id.encode()
                key_hash = hashes.get(case_id)
                if key_hash is None:
                    key_hash = hashes[case_id] = murmur2(key) & 0x7FFFFFFF
                try:
                    placed[position] = queue.append(
                        partitions[key_hash % len(partitions)], timestamp, key, value
                    )
                except MessageSizeTooLargeError as exc:
                    self._fail(report, event, f"{type(exc).__name__}: {exc}")
        finally:
            queue.hand_over()
        return placed

    def _announce_topics(self, events: list[CaseEvent]) -> None:
        """Ask for the metadata of every topic the window needs in one request: `partitions_for`, one
        topic at a time, costs a metadata round trip (~100 ms) for each new topic."""
        new = {event.agency for event in events} - self._announced
        topics = []
        for agency in new:
            try:
                topics.append(self.topic_of(agency))
            except Exception:  # a bad agency meets its events below, with its own error
                continue
            self._announced.add(agency)
        self.path.request_metadata(topics)

    def _partitions(self, agency: str, state: _CallState) -> list[TopicPartition] | None:
        """The topic's partitions in partitioner order, or None (and the call fails fast from here on)."""
        topic = self.topic_of(agency)
        try:
            found = self.producer.partitions_for(topic)
        except TopicAuthorizationFailedError as exc:
            state.unreachable = f"{type(exc).__name__}: {self._refusal(topic)}"
            return None
        except KafkaError as exc:
            state.unreachable = f"{type(exc).__name__}: no answer for topic {topic} from {self.bootstrap}"
            return None
        if not found:
            state.unreachable = f"no partitions for topic {topic} from {self.bootstrap}"
            return None
        return [TopicPartition(topic, partition) for partition in sorted(found)]

    def _confirm(
        self,
        events: list[CaseEvent],
        placed: list[Ticket | None],
        report: PublishReport,
        on_delivery: Callable[[Delivery], None] | None,
        state: _CallState,
    ) -> None:
        """Wait for a window's batches and report each of its events, in the order they were given.

        A batch still unconfirmed after the connect timeout while the broker refuses connections is
        reported "not confirmed" at once (and every batch after it in this call): waiting out the
        delivery timeout for each window took minutes when the broker died mid-publish.
        """
        deadline = time.monotonic() + self.delivery_timeout_s + 5.0
        cursors: dict[Ticket, Landing | str] = {}  # per ticket: where its next event landed, or why not
        deliveries = report.deliveries
        for event, batch in zip(events, placed, strict=True):
            if batch is None:
                continue
            cursor = cursors.get(batch)
            if cursor is None:
                cursor = cursors[batch] = self._landing(batch, deadline, state)
            if isinstance(cursor, str):
                self._fail(report, event, cursor)
                continue
            index = cursor.index
            cursor.index = index + 1
            if cursor.record_errors is not None:
                error = cursor.record_errors(index)
                self._fail(report, event, f"{type(error).__name__}: {error}")
                continue
            delivery = Delivery(
                str(event.event_id), event.case_id, cursor.topic, cursor.partition, cursor.base_offset + index
            )
            report.sent += 1
            deliveries.append(delivery)
            if on_delivery is not None:
                on_delivery(delivery)

    def _landing(self, ticket: Ticket, deadline: float, state: _CallState) -> Landing | str:
        """The ticket's outcome; between waits of the connect timeout, whether the broker still answers."""
        while True:
            if state.unreachable is not None and not ticket.wait(0):
                return state.unreachable
            remaining = deadline - time.monotonic()
            if remaining <= 0 or ticket.wait(min(remaining, self.connect_timeout_s)):
                break
            state.unreachable = self._broker_lost()
        return ticket.landing(deadline - time.monotonic())

    def _broker_lost(self) -> str | None:
        """Why the batches of this call cannot be confirmed (every bootstrap address refuses), or None."""
        if any_address_answers(self.bootstrap, self.connect_timeout_s):
            return None
        return f"not confirmed: the broker at {self.bootstrap} stopped answering"

    def _refusal(self, topic: str) -> str:
        """One line naming the missing ACL: the broker only says "not authorized"."""
        return f"Kafka user {self.user!r} has no WRITE ACL on topic {topic}"

    @staticmethod
    def _fail(report: PublishReport, event: CaseEvent, reason: str) -> None:
        report.failed.append(FailedEvent(str(event.event_id), reason))
        # The first few distinct reasons are logged (a refused ACL fails every event alike); the summary
        # line counts the rest.
        if len(report.failed) <= _LOGGED_FAILURES and all(
            earlier != reason for _, earlier in report.failed[:-1]
        ):
            logger.warning(
                "event_not_published", event_id=str(event.event_id), case_id=event.case_id, reason=reason
            )

    def close(self) -> None:
        """Close within a few seconds; with the broker gone, unsent batches are dropped (already
        reported as not confirmed) rather than raising a timeout at the caller's exit. A publisher that
        never connected has nothing to close (and a closed one is not reopened: its path stays readable)."""
        if self._producer is None or self._path is None:
            return
        try:
            self._producer.close(timeout=5)
        except KafkaError as exc:
            logger.warning(
                "publisher_closed_with_unconfirmed_batches", error=type(exc).__name__, dropped="unconfirmed"
            )
            self._path.abandon()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_UNSEEN: Any = object()


@dataclass
class _CallState:
    unreachable: str | None = None
    """Why the rest of this call fails fast: a topic had no metadata within max_block_ms, or the broker
    stopped answering while batches waited for confirmation."""
