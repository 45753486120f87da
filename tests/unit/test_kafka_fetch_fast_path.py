"""The consumer's fetch fast path against kafka-python's own parse, which stays its oracle.

Batches are framed by kafka-python's builder (what a broker hands back is what producers framed), with
what a record can hold (null and empty keys and values, headers with null values, long lengths, any
timestamps), compressed or not, transactional (aborted under READ_COMMITTED), control batches, legacy
v0/v1 message sets, and bytes corrupted after framing: both parses must give the same records, the same
positions after each take, the same counters, and the same error.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, NamedTuple

import kafka
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kafka import KafkaConsumer
from kafka.codec import has_gzip
from kafka.consumer.fetcher import Fetcher
from kafka.protocol.consumer import IsolationLevel
from kafka.record.default_records import DefaultRecordBatch
from kafka.record.memory_records import MemoryRecords, MemoryRecordsBuilder
from kafka.record.util import calc_crc32c
from kafka.serializer import Deserializer
from kafka.structs import TopicPartition

from consumers import kafka_fetch_fast_path as fast
from consumers.damaged_batches import DamagedBatchError
from consumers.kafka_fetch_fast_path import FastPartitionRecords, refusal
from consumers.source import InboundRecord, inbound_records

TP = TopicPartition("casehub.cases.qltt", 4)
CONTROL_BIT = 0x20


class Aborted(NamedTuple):
    """An aborted transaction as a fetch response lists it."""

    producer_id: int
    first_offset: int


class Batch(NamedTuple):
    magic: int
    compression: int
    producer_id: int  # -1: none; otherwise transactional
    control: int | None  # None: data; 0 abort marker, 1 commit marker
    append_time: bool
    records: list[tuple[int, bytes | None, bytes | None, list[tuple[str, bytes | None]]]]


blobs = st.one_of(st.none(), st.binary(max_size=40), st.binary(min_size=120, max_size=400))
headers = st.lists(st.tuples(st.text(max_size=6), st.one_of(st.none(), st.binary(max_size=9))), max_size=3)
record = st.tuples(st.integers(0, 2**41), blobs, blobs, headers)
compressions = st.sampled_from([0, 1] if has_gzip() else [0])
data_batch = st.builds(
    Batch,
    magic=st.just(2),
    compression=compressions,
    producer_id=st.sampled_from([-1, 7, 8]),
    control=st.just(None),
    append_time=st.booleans(),
    records=st.lists(record, min_size=1, max_size=6),
)
control_batch = st.builds(
    Batch,
    magic=st.just(2),
    compression=st.just(0),
    producer_id=st.sampled_from([7, 8]),
    control=st.sampled_from([0, 1]),
    append_time=st.just(False),
    records=st.just([]),
)
legacy_batch = st.builds(
    Batch,
    magic=st.sampled_from([0, 1]),
    compression=compressions,
    producer_id=st.just(-1),
    control=st.just(None),
    append_time=st.just(False),
    records=st.lists(st.tuples(st.integers(0, 2**41), blobs, blobs, st.just([])), min_size=1, max_size=4),
)


def framed(batches: list[Batch]) -> bytes:
    """The batches as a fetch response carries them, offsets following each other."""
    out = bytearray()
    offset = 0
    for batch in batches:
        transactional = batch.producer_id != -1
        builder = MemoryRecordsBuilder(
            magic=batch.magic,
            compression_type=batch.compression,
            batch_size=1 << 22,
            offset=offset,
            transactional=transactional,
            producer_id=batch.producer_id,
            producer_epoch=0 if transactional else -1,
            base_sequence=0 if transactional else -1,
        )
        if batch.control is not None:
            builder.append(timestamp=1, key=struct.pack(">hh", 0, batch.control), value=b"", headers=[])
            offset += 1
        for timestamp, key, value, record_headers in batch.records:
            if key is None and value is None and batch.magic < 2:
                value = b""  # legacy message sets need a key or a value
            args: dict[str, Any] = {"timestamp": timestamp, "key": key, "value": value}
            builder.append(**args, headers=record_headers) if batch.magic == 2 else builder.append(**args)
            offset += 1
        builder.close()
        buffer = bytearray(builder.buffer())
        if batch.magic == 2 and (batch.control is not None or batch.append_time):
            buffer[DefaultRecordBatch.ATTRIBUTES_OFFSET + 1] |= (
                CONTROL_BIT if batch.control is not None else 0
            ) | (DefaultRecordBatch.TIMESTAMP_TYPE_MASK if batch.append_time else 0)
            crc = calc_crc32c(memoryview(buffer)[DefaultRecordBatch.ATTRIBUTES_OFFSET :])
            struct.pack_into(">I", buffer, DefaultRecordBatch.CRC_OFFSET, crc)
        out += buffer
    return bytes(out)


def read(buffer: bytes, partition_records: type[Any], take: int | None, **options: Any) -> dict[str, Any]:
    """Everything a fetched partition gives the consumer, take after take, with `partition_records`."""
    outcome: dict[str, Any] = {"records": [], "positions": [], "error": None}
    try:
        part = partition_records(options.pop("fetch_offset", 0), TP, MemoryRecords(buffer), **options)
        while part:
            got = part.take(take)
            outcome["positions"].append(part.next_fetch_offset)
            if not got:
                break
            outcome["records"] += inbound_records([got])
        outcome["counters"] = (part.records_read, part.bytes_read, part.leader_epoch)
    except Exception as exc:  # compared below: both parses must fail alike
        # the one wording that differs: ours indexes bytes, the library a bytearray
        # ours raises the library's CorruptRecordError as a subclass carrying the batch
        # (consumers/damaged_batches.py), with the library's message
        name = "CorruptRecordError" if isinstance(exc, DamagedBatchError) else type(exc).__name__
        outcome["error"] = (name, str(exc).replace("'bytearray index", "'index"))
    return outcome


def both(buffer: bytes, take: int | None = None, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        read(buffer, Fetcher.PartitionRecords, take, **dict(options)),
        read(buffer, FastPartitionRecords, take, **dict(options)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(data_batch, control_batch, legacy_batch), min_size=1, max_size=5),
    st.one_of(st.none(), st.integers(1, 7)),
    st.integers(0, 6),
    st.booleans(),
)
def test_our_parse_gives_what_kafka_python_gives(
    batches: list[Batch], take: int | None, fetch_offset: int, read_committed: bool
) -> None:
    buffer = framed(batches)
    aborted = [Aborted(7, 0)] if read_committed else None
    isolation = IsolationLevel.READ_COMMITTED if read_committed else IsolationLevel.READ_UNCOMMITTED
    library, ours = both(
        buffer, take, fetch_offset=fetch_offset, isolation_level=isolation, aborted_transactions=aborted
    )
    assert ours == library
    assert library["error"] is None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(data_batch, min_size=1, max_size=3), st.data())
def test_corrupted_bytes_fail_alike(batches: list[Batch], data: st.DataObject) -> None:
    """With the CRC check off (`check_crcs=False`, a consumer setting), so the parse itself meets them."""
    buffer = bytearray(framed(batches))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(buffer) - 1))
        buffer[at] = data.draw(st.integers(0, 255))
    library, ours = both(bytes(buffer), check_crcs=False)
    if library["error"] is not None and "UnicodeDecodeError" in library["error"][1]:
        # a header name made non-UTF-8: ours reads it with U+FFFD where the library stops (module docstring)
        assert ours["records"][: len(library["records"])] == library["records"]
        return
    assert ours == library


def test_a_header_name_that_is_not_utf8_is_read_with_replacement_where_the_library_stops() -> None:
    """The library's CorruptRecordError came back from every poll of the partition: nothing behind the
    record was ever materialized."""
    batch = Batch(2, 0, -1, None, False, [(5, b"k", b"v", [("h\u00ff", b"1")]), (6, b"k2", b"v2", [])])
    buffer = framed([batch])
    at = buffer.index("h\u00ff".encode())
    damaged = bytearray(buffer)
    damaged[at + 1 : at + 3] = b"\xff\xfe"  # the name's two bytes after "h": not UTF-8
    crc = calc_crc32c(memoryview(damaged)[DefaultRecordBatch.ATTRIBUTES_OFFSET :])  # as a broker stores it
    struct.pack_into(">I", damaged, DefaultRecordBatch.CRC_OFFSET, crc)
    library, ours = both(bytes(damaged), check_crcs=True)
    assert library["error"] is not None and "UnicodeDecodeError" in library["error"][1]
    assert [record.headers for record in ours["records"]] == [(("h\ufffd\ufffd", b"1"),), ()]
    assert ours["error"] is None and [r.offset for r in ours["records"]] == [0, 1]


def test_records_are_ours_with_every_field() -> None:
    batch = Batch(2, 0, -1, None, False, [(5, None, b"v", [("trace", None), ("đ", b"1")])])
    (got,) = read(framed([batch]), FastPartitionRecords, None)["records"]
    assert got == InboundRecord(TP.topic, TP.partition, 0, None, b"v", 5, (("trace", None), ("đ", b"1")))
    assert type(got) is InboundRecord


def test_a_corrupt_batch_is_refused_by_its_crc() -> None:
    buffer = bytearray(framed([Batch(2, 0, -1, None, False, [(5, b"k", b"value", [])])]))
    buffer[-3] ^= 0xFF
    outcome = read(bytes(buffer), FastPartitionRecords, None, check_crcs=True)
    assert outcome["records"] == []
    assert outcome["error"] is not None and "failed crc check" in outcome["error"][1]


class Raw(Deserializer):  # type: ignore[misc]
    def deserialize(self, topic: str, headers: Any, data: bytes | None) -> bytes | None:
        return data


@pytest.fixture(scope="module")
def consumer() -> Iterator[KafkaConsumer]:
    """A consumer as the record source configures it; with `api_version` given it needs no broker."""
    made = KafkaConsumer(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_auto_commit=False)
    yield made
    made.close()


def test_the_installed_kafka_python_takes_our_parse(consumer: KafkaConsumer) -> None:
    assert refusal(consumer) is None


def test_an_internal_that_moved_is_a_refusal_naming_it(
    consumer: KafkaConsumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(fast.INTERNALS, "DefaultRecordBatch", ("_buffer", "_records_gone"))
    assert refusal(consumer) == f"kafka-python {kafka.__version__}: DefaultRecordBatch has no _records_gone"


def test_a_parse_that_differs_from_the_librarys_is_a_refusal(
    consumer: KafkaConsumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast, "_LOG_APPEND_TIME", 7)  # as if the timestamp types were renumbered
    assert refusal(consumer) == (
        f"kafka-python {kafka.__version__}: our parse differs from the library's on a sample"
    )


def test_a_consumer_with_deserializers_keeps_the_librarys_path() -> None:
    made = KafkaConsumer(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), value_deserializer=Raw())
    try:
        assert refusal(made) == "the consumer has deserializers (this path yields raw bytes)"
        assert fast.install(made) is not None
        assert made._fetcher.PartitionRecords is Fetcher.PartitionRecords
    finally:
        made.close()


def test_the_record_source_and_the_replay_read_through_the_fast_path() -> None:
    from consumers.kafka_io import KafkaRecordSource
    from consumers.log_replay import LogReplaySource

    made = KafkaConsumer(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_auto_commit=False)
    try:
        source = KafkaRecordSource(
            bootstrap="127.0.0.1:9", group="g", topic_pattern="^casehub[.]cases[.].*", stored_offsets=dict
        )
        source._connected(made)
        assert made._fetcher.PartitionRecords is FastPartitionRecords
        assert source.fetch_fast_path.total == 0
    finally:
        made.close()
    replay = LogReplaySource(
        bootstrap="127.0.0.1:9",
        topic_pattern="^casehub[.]cases[.].*",
        snapshot={("casehub.cases.x", 0): (0, 0)},
    )
    made = KafkaConsumer(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_auto_commit=False)
    try:
        replay._connected(made)
        assert made._fetcher.PartitionRecords is FastPartitionRecords
    finally:
        made.close()


def test_a_refused_fast_path_is_counted_and_the_library_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from consumers.kafka_io import KafkaRecordSource

    monkeypatch.setitem(fast.INTERNALS, "consumer._fetcher", ("PartitionRecords", "records_moved"))
    made = KafkaConsumer(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_auto_commit=False)
    try:
        source = KafkaRecordSource(
            bootstrap="127.0.0.1:9", group="g", topic_pattern="^casehub[.]cases[.].*", stored_offsets=dict
        )
        source._connected(made)
        assert made._fetcher.PartitionRecords is Fetcher.PartitionRecords
        assert dict(source.fetch_fast_path.counts) == {"kafka_internals_changed": 1}
    finally:
        made.close()


def test_a_batch_whose_magic_says_more_than_2_keeps_its_headers_as_the_library_reads_it() -> None:
    """The magic byte lies outside the batch CRC; the library reads such a batch's records through its
    loop for old formats, headers included, where ours dropped them (found by hypothesis)."""
    buffer = bytearray(
        framed([Batch(2, 0, -1, None, False, [(0, None, b"v", [("trace", b"1"), ("", None)])])])
    )
    buffer[MemoryRecords.MAGIC_OFFSET] = 3
    library, ours = both(bytes(buffer), check_crcs=True)
    assert library["error"] is None and library["records"][0].headers == (("trace", b"1"), ("", None))
    assert ours == library
