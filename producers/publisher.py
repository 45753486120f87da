"""Publish case events: validate (pydantic + reference rules) → encode (Avro, Confluent framing) → send.

The library an agency's own Python code uses with only `schemas` and `producers` installed:
idempotent, acks=all, keyed by case id (so a case's events stay in order on one partition),
compressed and batched, with a confirmation (topic, partition, offset) for every event.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NamedTuple, TypeVar

import structlog
from kafka import KafkaProducer
from kafka import codec as kafka_codec
from kafka.errors import (
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    TopicAuthorizationFailedError,
)
from kafka.partitioner.default import murmur2
from kafka.producer.producer_batch import ProducerBatch
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecordsBuilder
from kafka.structs import TopicPartition

from producers.errors import DeliveryFailed, EventRejected, PublishError
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from schemas.outages import BrokerUnavailable
from schemas.timeliness import check_event_time
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
_WINDOW = 5_000
"""Events validated and packed before their batches are handed to the sender (~165 a partition here)."""
_IN_FLIGHT = 2
"""Windows handed over and not yet confirmed while the next is prepared: the sender's round trips overlap
the CPU work, and memory stays bounded on endless streams."""
_LOGGED_FAILURES = 20
_CACHED_KEYS = 200_000
"""Case ids whose key hash is remembered (a case has several events; murmur2 is pure Python)."""


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

    Records are packed into kafka-python record batches here, per topic partition (the partition
    kafka-python's default partitioner would pick for the case id), and handed to the producer's sender
    whole (`_BatchQueue`): kafka-python's per-record `send` (checks, partitioner, a future per record
    and its callbacks, sender wake-ups) cost more CPU than validation and encoding together. The sender
    thread still assigns the idempotent producer's sequence numbers, compresses, retries and expires
    the batches; a batch's confirmation gives each of its events its offset. `publish` returns when
    every event is confirmed or failed, so nothing waits for linger: batches are sent as soon as they
    are handed over, a window at a time.
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
    ) -> None:
        self.codec = codec or CaseEventCodec()
        self.topic_of = topic_of
        self.bootstrap = bootstrap
        self.user = str((security or {}).get("sasl_plain_username") or "anonymous")
        self.compression = available_compression() if compression == "auto" else compression
        self.delivery_timeout_s = delivery_timeout_s or max(30.0, connect_timeout_s * 3)
        self.connect_timeout_s = connect_timeout_s
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
                delivery_timeout_ms=int(self.delivery_timeout_s * 1000),
                request_timeout_ms=int(connect_timeout_s * 1000),
                bootstrap_timeout_ms=int(connect_timeout_s * 1000),
                **dict(security or {}),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc
        self._key_hashes: dict[str, int] = {}
        self._announced: set[str] = set()

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
        return self.publish_prepared(_Unprepared(events), on_delivery)

    def publish_prepared(
        self,
        prepared: Iterable[tuple[CaseEvent, bytes | None]],
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> PublishReport:
        """`publish` for callers that already validated and encoded (with `checked_wire_bytes`): the
        bytes are sent as they are; None means "validate and encode here"."""
        windows: Iterator[tuple[list[CaseEvent], list[bytes | None] | None]]
        if isinstance(prepared, _Unprepared):  # from `publish`: no pairs to build and take apart
            windows = ((window, None) for window in _windows(iter(prepared.events), _WINDOW))
        else:
            windows = (
                ([event for event, _ in window], [encoded for _, encoded in window])
                for window in _windows(iter(prepared), _WINDOW)
            )
        return self._publish(windows, on_delivery)

    def _publish(
        self,
        windows: Iterator[tuple[list[CaseEvent], list[bytes | None] | None]],
        on_delivery: Callable[[Delivery], None] | None,
    ) -> PublishReport:
        started = time.monotonic()
        report = PublishReport()
        state = _CallState()
        in_flight: deque[tuple[list[CaseEvent], list[ProducerBatch | None]]] = deque()
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
            seconds=round(time.monotonic() - started, 3),
        )
        return report

    def _send_window(
        self,
        events: list[CaseEvent],
        encoded: list[bytes | None] | None,
        report: PublishReport,
        state: _CallState,
    ) -> list[ProducerBatch | None]:
        """Validate, encode and pack one window and hand its batches to the sender, without waiting;
        the batch each event went into (None: failed here), in the window's order."""
        placed: list[ProducerBatch | None] = [None] * len(events)
        queue = _BatchQueue(self.producer)
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
        for agency in new:
            try:
                self.producer._sender.add_topic(self.topic_of(agency))
            except Exception:  # a bad agency or topic meets its events below, as before
                continue
            self._announced.add(agency)

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
        placed: list[ProducerBatch | None],
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
        cursors: dict[ProducerBatch, _Cursor | str] = {}  # per batch: where its next event landed, or why not
        deliveries = report.deliveries
        for event, batch in zip(events, placed, strict=True):
            if batch is None:
                continue
            cursor = cursors.get(batch)
            if cursor is None:
                cursor = cursors[batch] = self._batch_outcome(batch, deadline, state)
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

    def _batch_outcome(self, batch: ProducerBatch, deadline: float, state: _CallState) -> _Cursor | str:
        """The batch's outcome; between waits of the connect timeout, whether the broker still answers."""
        future = batch.produce_future
        while not future.is_done:
            if state.unreachable is not None:
                return state.unreachable
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not future.wait(timeout=min(remaining, self.connect_timeout_s)):
                state.unreachable = self._broker_lost()
        return _batch_outcome(batch, deadline)

    def _broker_lost(self) -> str | None:
        """Why the batches of this call cannot be confirmed (every bootstrap address refuses), or None."""
        for address in self.bootstrap.split(","):
            host, _, port = address.strip().rpartition("://")[2].rpartition(":")
            try:
                with socket.create_connection(
                    (host.strip("[]") or "127.0.0.1", int(port)), self.connect_timeout_s
                ):
                    return None
            except (OSError, ValueError):
                continue
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
        reported as not confirmed) rather than raising a timeout at the caller's exit."""
        try:
            self.producer.close(timeout=5)
        except KafkaError as exc:
            logger.warning(
                "publisher_closed_with_unconfirmed_batches", error=type(exc).__name__, dropped="unconfirmed"
            )
            # kafka-python's close raises on its flush timeout before force-closing the sender (and
            # marking itself closed), so its __del__ tries again at exit and prints a traceback.
            sender = getattr(self.producer, "_sender", None)
            if sender is not None:
                sender.force_close()
            self.producer._closed = True

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


class _BatchQueue:
    """Packs records into kafka-python `ProducerBatch`es per partition and enqueues them whole.

    This uses kafka-python 3.0's accumulator the way its own `RecordAccumulator.append` does (the
    per-partition deque under its lock, the incomplete set that `flush` and `close` wait on), minus the
    per-record future: the sender drains, sequences (idempotence), compresses, retries and expires our
    batches exactly like its own. A batch's first record goes through `MemoryRecordsBuilder.append`;
    the others are framed here (`_append_record`), within the same batch_size.
    """

    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer
        self.accumulator = producer._accumulator
        config = self.accumulator.config
        self.magic = config["message_version"]
        self.compression = config["compression_attrs"]
        self.batch_size = config["batch_size"]
        self.max_record = producer.config["max_request_size"]
        self.open: dict[TopicPartition, ProducerBatch] = {}

    def append(self, tp: TopicPartition, timestamp: int, key: bytes, value: bytes) -> ProducerBatch:
        """The batch the record went into (its index there is the count of records before it).

        All records of a window share one timestamp, so a batch (which never spans windows) has one."""
        batch = self.open.get(tp)
        if batch is not None:
            if _append_record(batch.records, key, value, self.batch_size):
                return batch
            self._enqueue(batch)
            self.producer._sender.wakeup()
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, _NO_HEADERS)
        if size > self.max_record:
            raise MessageSizeTooLargeError(
                f"The message is {size} bytes when serialized which is larger than max_request_size"
            )
        batch = self.open[tp] = ProducerBatch(
            tp, MemoryRecordsBuilder(self.magic, self.compression, self.batch_size)
        )
        batch.records.append(timestamp, key, value, _NO_HEADERS)  # the first record always fits
        return batch

    def hand_over(self) -> None:
        """Enqueue the partly filled batches too (the window is packed) and wake the sender once."""
        for batch in self.open.values():
            self._enqueue(batch)
        self.open.clear()
        self.producer._sender.wakeup()

    def _enqueue(self, batch: ProducerBatch) -> None:
        accumulator = self.accumulator
        tp = batch.topic_partition
        with accumulator._tp_lock(tp):
            if accumulator._closed:
                raise IllegalStateError("the producer is closed")
            accumulator._batches[tp].append(batch)
            accumulator._incomplete.add(batch)


def _append_record(records: MemoryRecordsBuilder, key: bytes, value: bytes, batch_size: int) -> bool:
    """Append a record after the batch's first, as `DefaultRecordBatchBuilder.append` would write it with
    the first record's timestamp and no headers (byte for byte; ~2x faster); False when it is full."""
    builder = records._builder
    offset = records._next_offset
    body = bytearray(b"\x00\x00")  # attributes, timestamp delta 0
    _write_varint(body, offset)  # offset delta (the base offset is 0 on produce)
    _write_varint(body, len(key))
    body += key
    _write_varint(body, len(value))
    body += value
    body.append(0)  # no headers
    buffer = builder._buffer
    size = len(body)
    if len(buffer) + size + (size.bit_length() + 7) // 7 > batch_size:  # zigzag doubles: 7 bits a byte
        return False
    _write_varint(buffer, size)
    buffer += body
    builder._num_records += 1
    builder._last_offset = offset
    records._next_offset = offset + 1
    return True


def _write_varint(out: bytearray, value: int) -> None:
    """Kafka's (zigzag) varint, as kafka.record.util.encode_varint writes it."""
    value = (value << 1) ^ (value >> 63)
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


_NO_HEADERS: list[tuple[str, bytes]] = []


class _Unprepared:
    """`publish`'s events as `publish_prepared` pairs (event, None), for subclasses overriding that."""

    def __init__(self, events: Iterable[CaseEvent]) -> None:
        self.events = events

    def __iter__(self) -> Iterator[tuple[CaseEvent, bytes | None]]:
        return ((event, None) for event in self.events)


class _Cursor:
    """A confirmed batch as its events are reported: record i is at base_offset + i."""

    __slots__ = ("base_offset", "index", "partition", "record_errors", "topic")

    def __init__(
        self, batch: ProducerBatch, base_offset: int, record_errors: Callable[[int], Exception] | None
    ) -> None:
        self.topic, self.partition = batch.topic_partition
        self.base_offset = base_offset
        self.record_errors = record_errors
        self.index = 0


def _batch_outcome(batch: ProducerBatch, deadline: float) -> _Cursor | str:
    """A cursor over the batch once the broker confirmed it, else why it was not."""
    future = batch.produce_future
    if not future.wait(timeout=max(0.0, deadline - time.monotonic())):
        return f"{KafkaTimeoutError.__name__}: batch for {batch.topic_partition} not confirmed in time"
    if future.failed():
        exc = future.exception
        return f"{type(exc).__name__}: {exc}"
    base_offset, _log_append_time, record_errors = future.value
    return _Cursor(batch, base_offset, record_errors)


def checked_wire_bytes(codec: CaseEventCodec, event: CaseEvent) -> bytes:
    """Validate an event against the reference rules and encode it; EventRejected says why not."""
    try:
        check_event(event)
        check_event_time(event, datetime.now(UTC))
        return codec.encode(event)
    except CasehubError as exc:
        raise EventRejected(str(event.event_id), str(exc)) from exc


def _windows(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while window := list(islice(items, size)):
        yield window
