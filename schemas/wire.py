"""Confluent wire framing: magic byte 0x00, 4-byte big-endian schema id, then the Avro body."""

from __future__ import annotations

import struct

from schemas.errors import DecodeError

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")
HEADER_SIZE = _HEADER.size


def frame(schema_id: int, body: bytes) -> bytes:
    return _HEADER.pack(MAGIC_BYTE, schema_id) + body


def unframe(data: bytes) -> tuple[int, memoryview]:
    """Split a message into (schema id, Avro body); raise DecodeError when the header is wrong."""
    if len(data) < HEADER_SIZE:
        raise DecodeError(f"message of {len(data)} bytes is too short for the wire header")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC_BYTE:
        raise DecodeError(f"wrong magic byte {magic:#04x}, expected 0x00 (Confluent wire format)")
    return schema_id, memoryview(data)[HEADER_SIZE:]
