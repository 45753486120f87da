"""The compiled Avro reader against the installed fastavro: whatever it reads, it reads as fastavro does
(same datum, same types), on every event type and on cut, flipped and extended bytes; what it is not sure
of it refuses (`Unread` or a read error), never a different datum."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from producers.simulator import simulate_events
from schemas.avro_compiled_reader import Unread, _long_tail, compile_reader
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec
from schemas.wire import HEADER_SIZE, frame
from tests.factories import event, full_payloads

CODEC = CaseEventCodec()
PARSED = bundled_catalog().latest().parsed
READ = compile_reader(PARSED)
BODIES = [
    CODEC.encode(e)[HEADER_SIZE:]
    for e in [*simulate_events(300, seed=23), *(event(p) for p in full_payloads().values())]
]


def fastavro_datum(body: bytes) -> Any:
    return schemaless_reader(
        io.BytesIO(body), PARSED, None, return_record_name=True, return_record_name_override=True
    )


def typed(value: Any) -> Any:
    """A datum with every leaf's type beside it, so 1 == 1.0 or a str for a UUID cannot pass."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(item) for item in value])
    return type(value).__name__, value


def test_every_event_is_read_as_fastavro_reads_it() -> None:
    for body in BODIES:
        assert typed(READ(body)) == typed(fastavro_datum(body))


@given(st.sampled_from(BODIES), st.sampled_from(["cut", "flip", "extend", "set"]), st.data())
@settings(max_examples=500, deadline=None)
def test_damaged_bytes_are_read_as_fastavro_reads_them_or_refused(
    body: bytes, kind: str, data: st.DataObject
) -> None:
    damaged = bytearray(body)
    at = data.draw(st.integers(0, len(damaged) - 1))
    if kind == "cut":
        damaged = damaged[:at]
    elif kind == "extend":
        damaged += data.draw(st.binary(min_size=1, max_size=3))
    elif kind == "set":
        damaged[at] = data.draw(st.integers(0, 255))
    else:
        damaged[at] ^= 1 << data.draw(st.integers(0, 7))
    try:
        ours = READ(bytes(damaged))
    except Exception:
        return
    assert typed(ours) == typed(fastavro_datum(bytes(damaged)))


@pytest.mark.parametrize("varint", [b"\x80" * 10 + b"\x01", b"\xff" * 9 + b"\x7f"])
def test_a_varint_beyond_a_long_is_refused_not_guessed(varint: bytes) -> None:
    body = BODIES[0]
    with pytest.raises(Exception):  # noqa: B017 - any refusal: fastavro then judges it
        READ(varint + body[1:])


def test_a_framed_message_is_read_from_past_its_header_as_its_body_alone() -> None:
    for body in BODIES[:50]:
        framed = frame(bundled_catalog().latest().schema_id, body)
        assert typed(READ(framed, HEADER_SIZE)) == typed(READ(body)) == typed(fastavro_datum(body))


@given(st.integers(-(2**63), 2**63 - 1))
@settings(max_examples=500, deadline=None)
def test_a_timestamp_is_the_same_instant_as_fastavro_would_give_or_is_refused_alike(millis: int) -> None:
    """The reader adds milliseconds positionally; the keyword form (what it replaced) is the oracle."""
    from datetime import UTC, datetime, timedelta

    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def at(make: Any) -> Any:
        try:
            return make()
        except OverflowError:
            return "overflow"

    positional = at(lambda: epoch + timedelta(0, 0, 0, millis))
    assert positional == at(lambda: epoch + timedelta(microseconds=millis * 1000))


def _looped_long_tail(buf: bytes, pos: int, first: int) -> tuple[int, int]:
    """The byte loop `_long_tail` was before it was unrolled: the oracle."""
    n, shift = first & 0x7F, 7
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
        if shift >= 70:
            raise Unread("varint longer than a long")
    if n >= 1 << 64:
        raise Unread("varint beyond 64 bits")
    return (n >> 1) ^ -(n & 1), pos


def _outcome(read: Any, buf: bytes) -> Any:
    try:
        return read(buf, 1, buf[0])
    except (Unread, IndexError) as exc:
        return type(exc).__name__


VARINT_BYTES = st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0x81, 0xFF]) | st.integers(0, 255)


@given(st.integers(0x80, 0xFF), st.lists(VARINT_BYTES, max_size=12))
@settings(max_examples=1_000, deadline=None)
def test_the_unrolled_varint_reads_as_the_byte_loop_did(first: int, rest: list[int]) -> None:
    buf = bytes([first, *rest])
    assert _outcome(_long_tail, buf) == _outcome(_looped_long_tail, buf)


@given(st.integers(-(2**63), 2**63 - 1))
@settings(max_examples=300, deadline=None)
def test_every_long_written_as_a_varint_is_read_back(value: int) -> None:
    zigzag = (value << 1) ^ (value >> 63)
    encoded = bytearray()
    while True:
        byte, zigzag = zigzag & 0x7F, zigzag >> 7
        encoded.append(byte | (0x80 if zigzag else 0))
        if not zigzag:
            break
    if len(encoded) > 1:
        assert _long_tail(bytes(encoded), 1, encoded[0]) == (value, len(encoded))


LONGS = {
    "type": "record",
    "name": "Longs",
    "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "int"}],
}
READ_LONGS = compile_reader(parse_schema(LONGS))


@given(
    st.integers(-(2**63), 2**63 - 1) | st.integers(-70, 70),
    st.integers(-(2**31), 2**31 - 1) | st.integers(-70, 70),
    st.integers(0, 255),
)
@settings(max_examples=500, deadline=None)
def test_longs_of_one_byte_or_more_are_read_as_fastavro_reads_them(a: int, b: int, extra: int) -> None:
    """The generated varint read (a one-byte varint by table, longer ones by `_long_tail`), on values
    around the one-byte edge (-64..63) and any other: the values written; the same bytes cut short or
    with a byte more are refused, not read as something else."""
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(LONGS), {"a": a, "b": b})
    body = buffer.getvalue()
    assert READ_LONGS(body) == {"a": a, "b": b}
    assert schemaless_reader(io.BytesIO(body), parse_schema(LONGS), None) == {"a": a, "b": b}
    for damaged in (body[:-1], body + bytes([extra])):
        with pytest.raises((Unread, IndexError)):
            READ_LONGS(damaged)
