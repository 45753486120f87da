"""The consumer's fast path: fetched record batches parsed straight into our `InboundRecord`s.

The ONE consumer-side module that touches kafka-python's internals (pinned `<3.1`, as the producer's
producers/kafka_batch_fast_path.py). kafka-python parses a fetched v2 record batch one record at a time
(`DefaultRecordBatch._read_msg`: a `DefaultRecord`, then a 13-field `ConsumerRecord` with deserializer
calls and header sizes), and `consumers.source.inbound_records` copied each into ours: ~6.5–8 µs a record
of our process's CPU with a bare consumer on a real broker (docs/architecture.md, Benchmarks), about a tenth
of what materializing an event costs. Here one loop per batch reads the same bytes into `InboundRecord`s
directly (~3.1–3.7 µs, most of it the loop itself, lz4 and the batch CRC).

Only the per-record loop is ours: `FastPartitionRecords._unpack_records` keeps kafka-python's batch logic
line for line (batch CRC check, transactions: aborted batches and control batches skipped under
READ_COMMITTED, the positions `next_fetch_offset` it leaves after each record and batch), and batches
that are not v2 (legacy message sets) go through the library's own records. Compressed batches are
decompressed by the library (`_maybe_uncompress`) and then read here like the others.

One deliberate difference: a header name that is not UTF-8 is read with U+FFFD for its bad bytes, where
the library raises (a `CorruptRecordError` from every poll of that partition: the consumer retried it
forever and materialized nothing behind it). The broker stores such a record (Java decodes header names
leniently), so any producer allowed on a topic could stop the hub with one; no part of the hub reads
header names, so the record's event flows like any other.

A second: a v2 batch that fails its CRC or whose records do not parse raises `DamagedBatchError`, the
library's `CorruptRecordError` with the same message, carrying the partition, the fetch position, the
offsets the batch's header claims, where the next batch of the fetch starts and the batch's raw bytes, so
the source can set it aside after a few fetches (consumers/damaged_batches.py); `forget_damaged` drops
the spent records the fetcher keeps in line after it. A legacy (v0/v1) message set that fails raises the
library's plain error, as does the library's own path.

`refusal(consumer)` checks every assumption against the running kafka-python at start (the attributes
exist, and our parse equals the library's on sample batches with headers, null keys and values, and
log-append time); when one fails the consumer keeps the library's path and says so
(`fetch_fast_path_declined` in the log). tests/unit/test_kafka_fetch_fast_path.py compares the two
parses with hypothesis-generated batches (compressed, transactional, control, corrupted).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import kafka
from kafka import KafkaConsumer
from kafka.consumer.fetcher import Fetcher
from kafka.errors import CorruptRecordError
from kafka.protocol.consumer import IsolationLevel
from kafka.record.default_records import DefaultRecordBatch
from kafka.record.memory_records import MemoryRecords, MemoryRecordsBuilder
from kafka.record.util import calc_crc32c
from kafka.structs import TopicPartition

from consumers.damaged_batches import DamagedBatchError
from consumers.source import InboundRecord, inbound_records

_new = object.__new__
_LOG_APPEND_TIME = DefaultRecordBatch.LOG_APPEND_TIME
_READ_COMMITTED = IsolationLevel.READ_COMMITTED

INTERNALS: dict[str, tuple[str, ...]] = {
    "consumer": ("_fetcher",),
    "consumer._fetcher": ("PartitionRecords", "config", "_next_partition_records"),
    "Fetcher.PartitionRecords": (
        "_unpack_records",
        "_consume_aborted_transactions_up_to",
        "_contains_abort_marker",
        "_is_batch_aborted",
        "drain",
        "take",
    ),
    "DefaultRecordBatch": (
        "_buffer",
        "_pos",
        "_num_records",
        "_maybe_uncompress",
        "base_offset",
        "first_timestamp",
        "max_timestamp",
        "timestamp_type",
        "is_control_batch",
        "next_offset",
        "last_offset",
        "validate_crc",
    ),
}
"""Every internal attribute this module uses, by the object that holds it (the contract test's list)."""


def install(consumer: KafkaConsumer) -> str | None:
    """Make `consumer` parse its fetches here; returns why not (it then keeps the library's path)."""
    reason = refusal(consumer)
    if reason is None:
        consumer._fetcher.PartitionRecords = FastPartitionRecords
    return reason


def forget_damaged(consumer: KafkaConsumer, error: DamagedBatchError) -> None:
    """Drop what the fetcher still holds of the damaged batch's partition, so its next fetch goes to the
    broker again (a retry) or from wherever the source seeks it (past the batch). kafka-python keeps the
    partition's spent records in line after the error, and a take from them gives nothing, for good."""
    fetcher = consumer._fetcher
    held = fetcher._next_partition_records
    tp = TopicPartition(error.topic, error.partition)
    if held is not None and held.topic_partition == tp:
        held.drain()
        fetcher._next_partition_records = None


def forget_spent(consumer: KafkaConsumer) -> bool:
    """`forget_damaged` for kafka-python's own path (this parse declined), whose plain `CorruptRecordError`
    names no offsets: the records in line are the ones whose parse raised, and the library's next poll
    spun on them forever (3.0.12: `fetched_records` loops in `_append`; tests/integration/
    test_damaged_batches.py). Looked up defensively (the internals may differ there): True when dropped."""
    fetcher = getattr(consumer, "_fetcher", None)
    held = getattr(fetcher, "_next_partition_records", None)
    drain = getattr(held, "drain", None)
    if held is None or not callable(drain):
        return False
    drain()
    fetcher._next_partition_records = None  # type: ignore[union-attr]
    return True


def refusal(consumer: KafkaConsumer) -> str | None:
    """Why this kafka-python cannot take our parse (naming the attribute), or None: all holds."""
    try:
        return _refusal(consumer)
    except Exception as exc:  # an assumption broken in a way not foreseen: refuse, saying how
        return f"checking kafka-python {kafka.__version__} internals raised {type(exc).__name__}: {exc}"


def _refusal(consumer: KafkaConsumer) -> str | None:
    holders: dict[str, Any] = {
        "consumer": consumer,
        "Fetcher.PartitionRecords": Fetcher.PartitionRecords,
    }
    for holder, names in INTERNALS.items():
        if holder == "consumer._fetcher":
            holders[holder] = getattr(consumer, "_fetcher", None)
        target = holders.get(holder)
        if holder == "DefaultRecordBatch":
            target = _sample_batch()
        for name in names:
            if not hasattr(target, name):
                return f"kafka-python {kafka.__version__}: {holder} has no {name}"
    config = consumer._fetcher.config
    if config.get("key_deserializer") is not None or config.get("value_deserializer") is not None:
        return "the consumer has deserializers (this path yields raw bytes)"
    for compression in (0, 1):
        for append_time in (False, True):
            sample = _sample_buffer(compression, append_time)
            if parsed(sample, Fetcher.PartitionRecords) != parsed(sample, FastPartitionRecords):
                return f"kafka-python {kafka.__version__}: our parse differs from the library's on a sample"
    return None


def parsed(buffer: bytes, partition_records: type[Any]) -> tuple[list[InboundRecord], int, int, int]:
    """A fetched partition's buffer read by `partition_records` (the library's class or ours): our
    records, and the position, record count and byte count it leaves."""
    tp = TopicPartition("casehub.cases.sample", 3)
    part = partition_records(0, tp, MemoryRecords(buffer), check_crcs=True)
    records = inbound_records([part.take(None)])
    return records, part.next_fetch_offset, part.records_read, part.bytes_read


def _sample_buffer(compression: int, append_time: bool) -> bytes:
    """Two batches with what a record can hold: headers (a null value among them), a null key, a null
    value, an empty value, multi-byte lengths and timestamp deltas."""
    out = bytearray()
    for base in (0, 3):
        builder = MemoryRecordsBuilder(magic=2, compression_type=compression, batch_size=1 << 20, offset=base)
        builder.append(timestamp=1_700_000_000_000, key=b"VN-1", value=b"v" * 300, headers=[])
        headers = [("h", b"x"), ("\u0111", None)]
        builder.append(timestamp=1_700_000_090_000, key=None, value=b"", headers=headers)
        builder.append(timestamp=1_699_999_000_000, key=b"k" * 200, value=None, headers=[])
        builder.close()
        buffer = bytearray(builder.buffer())
        if append_time:  # the timestamp-type bit of the attributes, CRC recomputed as a broker would
            buffer = _with_log_append_time(buffer)
        out += buffer
    return bytes(out)


def _with_log_append_time(buffer: bytearray) -> bytearray:
    buffer[DefaultRecordBatch.ATTRIBUTES_OFFSET + 1] |= DefaultRecordBatch.TIMESTAMP_TYPE_MASK
    crc = calc_crc32c(memoryview(buffer)[DefaultRecordBatch.ATTRIBUTES_OFFSET :])
    struct.pack_into(">I", buffer, DefaultRecordBatch.CRC_OFFSET, crc)
    return buffer


def _sample_batch() -> DefaultRecordBatch:
    return MemoryRecords(_sample_buffer(0, False)).next_batch()


def _varint(buffer: bytes, pos: int) -> tuple[int, int]:
    """A zigzag varint of more than one byte (kafka.record.util.decode_varint, the same arithmetic); two
    bytes (a record's length, a value's size, a timestamp delta of seconds) without the loop."""
    b = buffer[pos + 1]
    if not b & 0x80:
        result = (buffer[pos] & 0x7F) | (b << 7)
        return (result >> 1) ^ -(result & 1), pos + 2
    result = buffer[pos] & 0x7F
    pos += 1
    shift = 7
    while True:
        b = buffer[pos]
        result |= (b & 0x7F) << shift
        pos += 1
        if not b & 0x80:
            return (result >> 1) ^ -(result & 1), pos
        shift += 7
        if shift >= 64:
            raise ValueError("Out of int64 range")


def batch_records(
    part: Any, batch: DefaultRecordBatch, topic: str, partition: int
) -> Iterator[InboundRecord]:
    """The records of one v2 batch as ours, read as `DefaultRecordBatch._read_msg` reads them (the same
    errors for the same bytes), keeping `part`'s counters and position as kafka-python's loop does. A
    one-byte varint (most are) is decoded inline."""
    batch._maybe_uncompress()
    buffer = bytes(batch._buffer)  # one copy of the batch; each slice of it is then a key or value as is
    pos = batch._pos
    base_offset = batch.base_offset
    first_timestamp = batch.first_timestamp
    append_time = batch.max_timestamp if batch.timestamp_type == _LOG_APPEND_TIME else None
    for _ in range(batch._num_records):
        try:
            b = buffer[pos]
            length, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            start = pos
            pos = _varint(buffer, pos)[1] if buffer[pos] & 0x80 else pos + 1  # attributes: unused
            b = buffer[pos]
            delta, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            timestamp = first_timestamp + delta if append_time is None else append_time
            b = buffer[pos]
            delta, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            offset = base_offset + delta
            b = buffer[pos]
            size, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            key: bytes | None = None
            if size >= 0:
                key = buffer[pos : pos + size]
                pos += size
            b = buffer[pos]
            size, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            value: bytes | None = None
            if size >= 0:
                value = buffer[pos : pos + size]
                pos += size
            b = buffer[pos]
            count, pos = _varint(buffer, pos) if b & 0x80 else ((b >> 1) ^ -(b & 1), pos + 1)
            headers: tuple[tuple[str, bytes | None], ...] = ()
            if count:
                headers, pos = _headers(buffer, pos, count)
            if pos - start != length:
                raise CorruptRecordError(
                    f"Invalid record size: expected to read {length} bytes in record payload, "
                    f"but instead read {pos - start}"
                )
        except (ValueError, IndexError) as err:
            raise CorruptRecordError(f"Found invalid record structure: {err!r}") from None
        record = _new(InboundRecord)
        fields = record.__dict__
        fields["topic"] = topic
        fields["partition"] = partition
        fields["offset"] = offset
        fields["key"] = key
        fields["value"] = value
        fields["timestamp_ms"] = timestamp
        fields["headers"] = headers
        part.records_read += 1
        part.bytes_read += length
        part.next_fetch_offset = offset + 1
        yield record
    if pos != len(buffer):
        raise CorruptRecordError(f"{len(buffer) - pos} unconsumed bytes after all records consumed")


def _headers(buffer: bytes, pos: int, count: int) -> tuple[tuple[tuple[str, bytes | None], ...], int]:
    """A record's headers and the position after them (`_read_msg`'s header loop)."""
    if count < 0:
        raise CorruptRecordError(f"Found invalid number of record headers {count}")
    headers: list[tuple[str, bytes | None]] = []
    while count:
        size, pos = _varint(buffer, pos) if buffer[pos] & 0x80 else _one_byte(buffer, pos)
        if size < 0:
            raise CorruptRecordError(f"Invalid negative header key size {size}")
        name = buffer[pos : pos + size].decode("utf-8", "replace")  # see the module: not the library's
        pos += size
        size, pos = _varint(buffer, pos) if buffer[pos] & 0x80 else _one_byte(buffer, pos)
        value: bytes | None = None
        if size >= 0:
            value = buffer[pos : pos + size]
            pos += size
        headers.append((name, value))
        count -= 1
    return tuple(headers), pos


def _one_byte(buffer: bytes, pos: int) -> tuple[int, int]:
    b = buffer[pos]
    return (b >> 1) ^ -(b & 1), pos + 1


class FastPartitionRecords(Fetcher.PartitionRecords):
    """kafka-python's fetched partition, yielding our records: `_unpack_records` is the library's
    (kafka-python 3.0.12, kafka/consumer/fetcher.py) with its per-record loop replaced by
    `batch_records` for v2 batches; deserializers are not supported (the consumer has none)."""

    def _unpack_records(
        self, tp: TopicPartition, records: MemoryRecords, key_deserializer: Any, value_deserializer: Any
    ) -> Iterator[InboundRecord]:
        topic, partition = tp.topic, tp.partition
        try:
            batch = records.next_batch()
            last_batch = None
            while batch is not None:
                last_batch = batch
                if self.check_crcs and not batch.validate_crc():
                    raise self._damaged(
                        f"Record batch for partition {self.topic_partition} at offset "
                        f"{batch.base_offset} failed crc check",
                        batch,
                        bytes(batch._buffer),
                        records,
                    )
                if batch.magic == 2:
                    self.leader_epoch = batch.leader_epoch
                    if self.isolation_level == _READ_COMMITTED and batch.has_producer_id():
                        self._consume_aborted_transactions_up_to(batch.last_offset)
                        producer_id = batch.producer_id
                        if self._contains_abort_marker(batch):
                            self.aborted_producer_ids.discard(producer_id)
                        elif self._is_batch_aborted(batch):
                            self.next_fetch_offset = batch.next_offset
                            batch = records.next_batch()
                            continue
                    if batch.is_control_batch:
                        self.next_fetch_offset = batch.next_offset
                        batch = records.next_batch()
                        continue
                    raw = batch._buffer  # the batch as fetched (batch_records may decompress it)
                    try:
                        yield from batch_records(self, batch, topic, partition)
                    except CorruptRecordError as err:
                        reason = str(err.args[0]) if err.args else str(err)
                        raise self._damaged(reason, batch, bytes(raw), records) from None
                else:
                    yield from self._legacy_records(batch, topic, partition)
                batch = records.next_batch()
            else:
                if last_batch and last_batch.magic == 2:
                    self.next_fetch_offset = last_batch.next_offset
                self.drain()
        except StopIteration:  # as the library: a StopIteration must not end the generator silently
            raise RuntimeError("StopIteration raised unpacking messageset") from None

    def _damaged(
        self, message: str, batch: DefaultRecordBatch, raw: bytes, records: MemoryRecords
    ) -> DamagedBatchError:
        """The error of a batch that fails its CRC or whose records do not parse, with what the source
        needs to set it aside (consumers/damaged_batches.py): its header's offsets, the fetch position,
        where the next batch of this fetch starts (read on: nothing more is taken from this fetch)."""
        try:
            following = records.next_batch()
            next_batch_offset = following.base_offset if following is not None else None
        except Exception:  # the bytes after a damaged batch may not frame a batch either
            next_batch_offset = None
        tp = self.topic_partition
        return DamagedBatchError(
            message,
            topic=tp.topic,
            partition=tp.partition,
            position=self.next_fetch_offset,
            first_offset=batch.base_offset,
            last_offset=batch.last_offset,
            next_batch_offset=next_batch_offset,
            records_count=batch._num_records,
            raw=raw,
        )

    def _legacy_records(self, batch: Any, topic: str, partition: int) -> Iterator[InboundRecord]:
        """A batch that is not v2, read by the library: a v0/v1 message set (brokers of this hub write v2;
        kept for old logs), or a batch whose magic byte says more than 2, which the library reads as v2
        records through this same loop (hypothesis found the headers dropped here, session 9)."""
        for record in batch:
            if self.check_crcs and not record.validate_crc():
                raise CorruptRecordError(
                    f"Record for partition {self.topic_partition} at offset {record.offset} failed crc check"
                )
            self.records_read += 1
            self.bytes_read += record.size_in_bytes
            self.next_fetch_offset = record.offset + 1
            headers = tuple(record.headers) if record.headers else ()  # a batch of magic > 2 has them
            yield InboundRecord(
                topic, partition, record.offset, record.key, record.value, record.timestamp, headers
            )
