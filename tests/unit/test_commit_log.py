"""Decoding __consumer_offsets records the way Kafka 0.9 to 4.x brokers write them."""

from __future__ import annotations

import struct

import pytest

from services.ops.commit_log import CommitRecord, coordinator_partition, decode_commit


def string(text: str) -> bytes:
    return struct.pack(">h", len(text)) + text.encode()


def commit_key(group: str, topic: str, partition: int, key_type: int = 1) -> bytes:
    return struct.pack(">h", key_type) + string(group) + string(topic) + struct.pack(">i", partition)


# A v4 value as a Kafka 4.1 broker wrote it: offset 3, epoch -1, metadata "", commit time, topic id tag.
BROKER_V4 = bytes.fromhex("00040000000000000003ffffffff01000001a202bf11e00100102264c3baa1644adcb0e6460d1992")


def test_a_flexible_v4_value_from_a_kafka_4_broker() -> None:
    record = decode_commit(commit_key("g-exp1", "exp1", 0), BROKER_V4, record_ms=0)
    assert record == CommitRecord("g-exp1", "exp1", 0, offset=3, committed_ms=0x1A202BF11E0)


@pytest.mark.parametrize(
    ("version", "body"),
    [
        (0, struct.pack(">q", 42) + string("meta") + struct.pack(">q", 1_700)),
        (1, struct.pack(">q", 42) + string("") + struct.pack(">qq", 1_700, 9_999)),
        (2, struct.pack(">q", 42) + string("m") + struct.pack(">q", 1_700)),
        (3, struct.pack(">qi", 42, 7) + string("m") + struct.pack(">q", 1_700)),
    ],
)
def test_older_value_versions(version: int, body: bytes) -> None:
    record = decode_commit(commit_key("g", "t", 2, key_type=0), struct.pack(">h", version) + body, 0)
    assert record == CommitRecord("g", "t", 2, offset=42, committed_ms=1_700)


def test_a_tombstone_is_a_deleted_offset() -> None:
    record = decode_commit(commit_key("g", "t", 0), None, record_ms=555)
    assert record == CommitRecord("g", "t", 0, offset=None, committed_ms=555)


def test_group_metadata_records_are_not_commits() -> None:
    assert decode_commit(struct.pack(">h", 2) + string("g"), b"\x00\x03whatever", 0) is None
    assert decode_commit(None, None, 0) is None


def test_a_truncated_record_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter"):
        decode_commit(commit_key("g", "t", 0)[:-2], None, 0)


def test_the_coordinator_partition_matches_java_string_hashcode() -> None:
    # Checked against a real broker: g-exp1 committed into partition 2 of 4 partitions.
    assert coordinator_partition("g-exp1", 4) == 2
    # A negative hash (-1215412331) is negated, not masked: g-8b99d73e committed into partition 3 of 4.
    assert coordinator_partition("g-8b99d73e", 4) == 3
    # "polygenelubricants".hashCode() == Integer.MIN_VALUE; Utils.abs maps it to 0.
    assert coordinator_partition("polygenelubricants", 50) == 0
    # Java hashes UTF-16 code units: ó is 0xF3, an emoji is a surrogate pair.
    assert coordinator_partition("aó", 100_000) == 31 * 97 + 0xF3
    assert coordinator_partition("😀", 10_000_000) == 31 * 0xD83D + 0xDE00
