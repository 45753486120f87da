"""Kafka's own record of every offset commit (__consumer_offsets), decoded as Burrow reads it.

The committed offset a group shows now is only its latest commit; the commit history Burrow's window
needs is in the internal topic, one record per commit with the broker's commit timestamp. A group's
records live in partition abs(hash(group)) % partitions of that topic (Java's String.hashCode).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CONSUMER_OFFSETS_TOPIC = "__consumer_offsets"
_OFFSET_COMMIT_KEY_TYPES = (0, 1)  # key versions 0 and 1 are offset commits; 2+ are group metadata


@dataclass(frozen=True)
class CommitRecord:
    """One decoded offset commit (a tombstone, offset None, means the offset was deleted)."""

    group: str
    topic: str
    partition: int
    offset: int | None
    committed_ms: int


def coordinator_partition(group: str, partitions: int) -> int:
    """The __consumer_offsets partition holding `group`'s commits: Utils.abs(group.hashCode()) % n."""
    code = 0
    utf16 = group.encode("utf-16-be")
    for index in range(0, len(utf16), 2):
        code = (31 * code + int.from_bytes(utf16[index : index + 2], "big")) & 0xFFFFFFFF
    signed = code - (1 << 32) if code & 0x80000000 else code
    return (0 if signed == -(1 << 31) else abs(signed)) % partitions  # Kafka's Utils.abs, not a bit mask


def decode_commit(key: bytes | None, value: bytes | None, record_ms: int) -> CommitRecord | None:
    """The commit in one record, or None for group metadata and records we cannot read."""
    if not key or len(key) < 2:
        return None
    reader = _Reader(key)
    if reader.int16() not in _OFFSET_COMMIT_KEY_TYPES:
        return None
    group, topic, partition = reader.string(), reader.string(), reader.int32()
    if value is None:
        return CommitRecord(group, topic, partition, None, record_ms)
    offset, committed_ms = _decode_value(_Reader(value))
    return CommitRecord(group, topic, partition, offset, committed_ms)


def _decode_value(reader: _Reader) -> tuple[int, int]:
    """OffsetCommitValue v0-v4: offset, [leader epoch v3+], metadata, commit timestamp (v4 is flexible)."""
    version = reader.int16()
    offset = reader.int64()
    if version >= 3:
        reader.int32()
    if version >= 4:
        reader.compact_string()
    else:
        reader.string()
    return offset, reader.int64()


class _Reader:
    """Big-endian reads over one record's bytes (Kafka's protocol primitives)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def _take(self, size: int) -> bytes:
        if self.position + size > len(self.data):
            raise ValueError("record shorter than its schema")
        chunk = self.data[self.position : self.position + size]
        self.position += size
        return chunk

    def int16(self) -> int:
        return int(struct.unpack(">h", self._take(2))[0])

    def int32(self) -> int:
        return int(struct.unpack(">i", self._take(4))[0])

    def int64(self) -> int:
        return int(struct.unpack(">q", self._take(8))[0])

    def string(self) -> str:
        size = self.int16()
        return "" if size < 0 else self._take(size).decode()

    def compact_string(self) -> str:
        size = self._unsigned_varint() - 1
        return "" if size < 0 else self._take(size).decode()

    def _unsigned_varint(self) -> int:
        result, shift = 0, 0
        while True:
            byte = self._take(1)[0]
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
