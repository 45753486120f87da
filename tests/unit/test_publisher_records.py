"""The publisher frames records like kafka-python: byte for byte, and full at the same record."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from kafka.record.memory_records import MemoryRecords, MemoryRecordsBuilder

from producers.kafka_batch_fast_path import append_record as _append_record

TIMESTAMP = 1_751_328_000_000


def test_records_framed_by_the_publisher_are_kafka_pythons_bytes_and_fill_the_batch_alike() -> None:
    batch_size = 16 * 1024
    ours = MemoryRecordsBuilder(2, 0, batch_size)
    theirs = MemoryRecordsBuilder(2, 0, batch_size)
    records = [(f"VN-2025-QLTT-{i:05d}".encode(), bytes([i % 251]) * (40 + i * 7 % 400)) for i in range(500)]
    written = 0
    for key, value in records:
        accepted = theirs.append(TIMESTAMP, key, value, []) is not None
        if written == 0:
            ours.append(TIMESTAMP, key, value, [])
        else:
            assert _append_record(ours, key, value, batch_size) == accepted
        if not accepted:
            break
        written += 1
    assert 1 < written < len(records)  # the batch filled up on the way
    for builder in (ours, theirs):
        builder.set_producer_state(7, 0, 42, False)  # what the sender does when it drains the batch
        builder.close()
    assert bytes(ours.buffer()) == bytes(theirs.buffer())
    batch = next(iter(MemoryRecords(bytes(ours.buffer()))))
    batch.validate_crc()
    read = [(record.offset, record.key, record.value) for record in batch]
    assert read == [(i, key, value) for i, (key, value) in enumerate(records[:written])]


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(st.tuples(st.binary(max_size=200), st.binary(max_size=2_000)), min_size=1, max_size=40),
    batch_size=st.integers(min_value=64, max_value=32 * 1024),
)
def test_any_keys_values_and_batch_size_frame_and_fill_like_kafka_python(
    records: list[tuple[bytes, bytes]], batch_size: int
) -> None:
    """Empty keys and values, values past one varint byte, batches that fill at once: same bytes."""
    ours = MemoryRecordsBuilder(2, 0, batch_size)
    theirs = MemoryRecordsBuilder(2, 0, batch_size)
    for position, (key, value) in enumerate(records):
        accepted = theirs.append(TIMESTAMP, key, value, []) is not None
        if position == 0:
            assert accepted  # kafka-python always takes a batch's first record
            ours.append(TIMESTAMP, key, value, [])
            continue
        assert _append_record(ours, key, value, batch_size) == accepted
        if not accepted:
            break
    for builder in (ours, theirs):
        builder.close()
    assert bytes(ours.buffer()) == bytes(theirs.buffer())
