"""The publisher's fast path: its own record batches queued whole to kafka-python's sender.

The ONE module that touches kafka-python's internals (pinned `<3.1`). kafka-python's per-record
`send` (checks, partitioner, a future per record and its callbacks, sender wake-ups) cost more CPU
than validation and encoding together, so records are packed here into kafka-python `ProducerBatch`es
per partition and enqueued the way its own `RecordAccumulator.append` does (the per-partition deque
under its lock, the incomplete set that `flush` and `close` wait on), minus the per-record future: the
sender drains, sequences (idempotence), compresses, retries and expires our batches like its own. A
batch's first record goes through `MemoryRecordsBuilder.append`; the others are framed here
(`append_record`, byte for byte what `DefaultRecordBatchBuilder.append` writes, ~2x faster).

`BatchPath.refusal(producer)` checks every assumption below against the running kafka-python (the
attributes exist, the record format is v2, our framing equals the library's on a sample batch); when
one fails the publisher takes `kafka_record_path` (the public `send`) and says so (`fast_path_declined`
in the log and a counter). tests/unit/test_kafka_batch_fast_path.py is the same contract against the
installed version, failing with the name of the attribute that moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import kafka
from kafka import KafkaProducer
from kafka.errors import IllegalStateError, KafkaTimeoutError, MessageSizeTooLargeError
from kafka.producer.producer_batch import ProducerBatch
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecordsBuilder
from kafka.structs import TopicPartition

from producers.send_path import Landing, Ticket, WindowQueue

INTERNALS: dict[str, tuple[str, ...]] = {
    "producer": ("_accumulator", "_sender", "_closed", "config"),
    "producer._accumulator": ("_tp_lock", "_batches", "_incomplete", "_closed", "config"),
    "producer._sender": ("wakeup", "add_topic", "force_close"),
    "MemoryRecordsBuilder": ("_builder", "_next_offset", "append", "buffer"),
    "MemoryRecordsBuilder._builder": ("_buffer", "_num_records", "_last_offset"),
    "ProducerBatch": ("records", "topic_partition", "produce_future"),
    "ProducerBatch.produce_future": ("wait", "is_done", "failed", "exception", "value"),
}
"""Every internal attribute this module uses, by the object that holds it (the contract test's list)."""
CONFIG_KEYS = ("message_version", "compression_attrs", "batch_size")
"""Keys of the accumulator's config read here; `message_version` must be 2 (the v2 record format)."""


class BatchPath:
    name = "kafka_batch_fast_path"

    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer

    @staticmethod
    def refusal(producer: KafkaProducer) -> str | None:
        """Why this kafka-python cannot take our batches (naming the attribute), or None: all holds."""
        try:
            return _refusal(producer)
        except Exception as exc:  # an assumption broken in a way not foreseen: refuse, saying how
            return f"checking kafka-python {kafka.__version__} internals raised {type(exc).__name__}: {exc}"

    def window(self) -> WindowQueue:
        return _BatchQueue(self.producer)

    def request_metadata(self, topics: Iterable[str]) -> None:
        """One metadata request for all new topics: `partitions_for` costs a round trip (~100 ms) each."""
        for topic in topics:
            try:
                self.producer._sender.add_topic(topic)
            except Exception:  # a bad topic meets its events at `partitions_for`, with its own error
                continue

    def abandon(self) -> None:
        """kafka-python's close raises on its flush timeout before force-closing the sender (and marking
        itself closed), so its __del__ tries again at exit and prints a traceback: finish it here."""
        sender = getattr(self.producer, "_sender", None)
        if sender is not None:
            sender.force_close()
        self.producer._closed = True


def _refusal(producer: KafkaProducer) -> str | None:
    accumulator = producer._accumulator
    builder = MemoryRecordsBuilder(2, 0, 1024)
    batch = ProducerBatch(TopicPartition("contract", 0), builder)
    holders: dict[str, Any] = {
        "producer": producer,
        "producer._accumulator": accumulator,
        "producer._sender": producer._sender,
        "MemoryRecordsBuilder": builder,
        "MemoryRecordsBuilder._builder": builder._builder,
        "ProducerBatch": batch,
        "ProducerBatch.produce_future": batch.produce_future,
    }
    for holder, names in INTERNALS.items():
        for name in names:
            if not hasattr(holders[holder], name):
                return f"kafka-python {kafka.__version__}: {holder} has no attribute {name!r}"
    for key in CONFIG_KEYS:
        if key not in accumulator.config:
            return f"kafka-python {kafka.__version__}: the accumulator's config has no {key!r}"
    if accumulator.config["message_version"] != 2:
        return f"record format v{accumulator.config['message_version']} (the broker is older than 0.11)"
    return framing_difference()


def framing_difference() -> str | None:
    """Whether `append_record` still writes kafka-python's bytes (a two-batch sample), or how not."""
    ours, theirs = MemoryRecordsBuilder(2, 0, 1024), MemoryRecordsBuilder(2, 0, 1024)
    records = [(b"VN-CONTRACT-1", b"\x00" * 3), (b"VN-CONTRACT-2", b"\x01" * 200), (b"", b"")]
    for position, (key, value) in enumerate(records):
        theirs.append(1_751_328_000_000, key, value, [])
        if position == 0:
            ours.append(1_751_328_000_000, key, value, [])
        elif not append_record(ours, key, value, 1024):
            return "append_record refused a record kafka-python's builder took"
    for builder in (ours, theirs):
        builder.set_producer_state(7, 0, 42, False)
        builder.close()
    if bytes(ours.buffer()) != bytes(theirs.buffer()):
        return (
            f"kafka-python {kafka.__version__}: append_record no longer writes MemoryRecordsBuilder's bytes"
        )
    return None


class _BatchQueue:
    """Packs records into `ProducerBatch`es per partition and enqueues them whole."""

    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer
        self.accumulator = producer._accumulator
        config = self.accumulator.config
        self.magic = config["message_version"]
        self.compression = config["compression_attrs"]
        self.batch_size = config["batch_size"]
        self.max_record = producer.config["max_request_size"]
        self.open: dict[TopicPartition, _QueuedBatch] = {}

    def append(self, tp: TopicPartition, timestamp: int, key: bytes, value: bytes) -> Ticket:
        """The batch the record went into (its index there is the count of records before it).

        All records of a window share one timestamp, so a batch (which never spans windows) has one."""
        queued = self.open.get(tp)
        if queued is not None:
            if append_record(queued.batch.records, key, value, self.batch_size):
                return queued
            self._enqueue(queued.batch)
            self.producer._sender.wakeup()
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, _NO_HEADERS)
        if size > self.max_record:
            raise MessageSizeTooLargeError(
                f"The message is {size} bytes when serialized which is larger than max_request_size"
            )
        batch = ProducerBatch(tp, MemoryRecordsBuilder(self.magic, self.compression, self.batch_size))
        batch.records.append(timestamp, key, value, _NO_HEADERS)  # the first record always fits
        queued = self.open[tp] = _QueuedBatch(batch)
        return queued

    def hand_over(self) -> None:
        """Enqueue the partly filled batches too (the window is packed) and wake the sender once."""
        for queued in self.open.values():
            self._enqueue(queued.batch)
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


class _QueuedBatch:
    """A batch as a ticket: its produce future says where its records landed."""

    __slots__ = ("batch",)

    def __init__(self, batch: ProducerBatch) -> None:
        self.batch = batch

    def wait(self, timeout: float) -> bool:
        future = self.batch.produce_future
        return bool(future.is_done or future.wait(timeout=timeout))

    def landing(self, timeout: float) -> Landing | str:
        future = self.batch.produce_future
        if not future.wait(timeout=max(0.0, timeout)):
            return (
                f"{KafkaTimeoutError.__name__}: batch for {self.batch.topic_partition} not confirmed in time"
            )
        if future.failed():
            exc = future.exception
            return f"{type(exc).__name__}: {exc}"
        base_offset, _log_append_time, record_errors = future.value
        errors: Callable[[int], Exception] | None = record_errors
        return Landing(self.batch.topic_partition, base_offset, errors)


def append_record(records: MemoryRecordsBuilder, key: bytes, value: bytes, batch_size: int) -> bool:
    """Append a record after the batch's first, as `DefaultRecordBatchBuilder.append` would write it with
    the first record's timestamp and no headers (byte for byte; ~2x faster); False when it is full."""
    builder = records._builder
    offset = records._next_offset
    body = bytearray(b"\x00\x00")  # attributes, timestamp delta 0
    write_varint(body, offset)  # offset delta (the base offset is 0 on produce)
    write_varint(body, len(key))
    body += key
    write_varint(body, len(value))
    body += value
    body.append(0)  # no headers
    buffer = builder._buffer
    size = len(body)
    if len(buffer) + size + (size.bit_length() + 7) // 7 > batch_size:  # zigzag doubles: 7 bits a byte
        return False
    write_varint(buffer, size)
    buffer += body
    builder._num_records += 1
    builder._last_offset = offset
    records._next_offset = offset + 1
    return True


def write_varint(out: bytearray, value: int) -> None:
    """Kafka's (zigzag) varint, as kafka.record.util.encode_varint writes it."""
    value = (value << 1) ^ (value >> 63)
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


_NO_HEADERS: list[tuple[str, bytes]] = []
