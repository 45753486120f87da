"""Poison on demand: valid simulated events mutated toward every edge a careless or hostile agency system
could send — at the field level (edge values of each Avro type, re-encoded so the frame is well formed)
and at the byte level (flipped bytes, invalid UTF-8 inside a string, wrong schema ids, truncation, size),
plus re-used ids with other content, identical re-deliveries, wrong or missing keys and tombstones.

Hypothesis draws every choice, so each run attacks differently and a failure prints how to replay it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastavro import schemaless_writer
from hypothesis import strategies as st

from consumers.source import InboundRecord
from schemas import bounds
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.events import CaseEvent
from schemas.wire import frame

CODEC = CaseEventCodec()
_WRITER = bundled_catalog().latest()
MARKER = "ZQXJMARKERZQXJ"

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "Son\x00giả",
    "\x07\x1b[31m",
    "a\r\nb",
    "\u202egnp.exe",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width and BOM
    "e\u0301\u0301\u0301",  # stacked combining marks
    "😀" * 20,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "VN/2025/../../etc",
    "a?b#c%2F",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "\x85\x9f",  # C1 controls
    "x" * (bounds.LINE_MAX + 1),
    "😀" * bounds.LINE_MAX,
    "y" * (bounds.PROSE_MAX + 1),
    "z" * 300_000,
]
EDGE_LONGS = [0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, bounds.MAX_VND, bounds.MAX_VND + 1, 2**63 - 1, -(2**63)]
EDGE_DOUBLES = [0.0, -0.0, 1e-310, 1e308, float("inf"), float("-inf"), float("nan")]
EDGE_TIMES = [
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2099, 12, 31, tzinfo=UTC),
    datetime(9999, 12, 31, tzinfo=UTC),
]
EDGE_TIME_MILLIS = [-1, 2**63 - 1, -(2**63)]

KINDS = [
    "canary",
    "field",
    "field",
    "field",
    "bytes",
    "invalid_utf8",
    "schema_id",
    "truncated",
    "oversized",
    "reused_id",
    "redelivered",
    "key",
    "tombstone",
]


@dataclass(frozen=True)
class Poison:
    """One record to feed the hub and how it was made (for the failure message)."""

    kind: str
    record: InboundRecord
    note: str = ""

    def __repr__(self) -> str:  # hypothesis prints the draws of a failing run: keep it readable
        size = len(self.record.value or b"")
        return (
            f"Poison({self.kind} {self.record.topic}@{self.record.offset}, {size} bytes, {self.note[:80]!r})"
        )


def encode_datum(datum: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, _WRITER.parsed, datum)
    return frame(_WRITER.schema_id, buffer.getvalue())


def leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every scalar of an Avro datum (the payload union is a (name, record) pair)."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in leaves(value, (*path, key))]
    if isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], dict):
        return leaves(node[1], (*path, 1))
    if isinstance(node, list | tuple):
        return [p for i, value in enumerate(node) for p in leaves(value, (*path, i))]
    return [path] if node is not None else []


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of `node` with the value at `path` replaced (tuples and lists rebuilt on the way)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _set(node[head], rest, value)}
    items = list(node)
    items[head] = _set(items[head], rest, value)
    return tuple(items) if isinstance(node, tuple) else items


def _edge_for(current: Any, draw: Any) -> Any:
    if isinstance(current, bool):
        return not current
    if isinstance(current, str):
        return draw(
            st.one_of(
                st.sampled_from(NASTY_TEXT), st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
            )
        )
    if isinstance(current, int):
        return draw(st.sampled_from(EDGE_LONGS))
    if isinstance(current, float):
        return draw(st.sampled_from(EDGE_DOUBLES))
    if isinstance(current, datetime):
        return draw(st.one_of(st.sampled_from(EDGE_TIMES), st.sampled_from(EDGE_TIME_MILLIS)))
    return current


@st.composite
def poisoned(draw: Any, events: list[CaseEvent], prefix: str = "") -> list[Poison]:
    """The events in order, each left alone (a canary) or turned into poison of a drawn kind, on its
    agency's topic `<prefix>casehub.cases.<agency>` (partition 0, offsets counted per topic)."""
    out: list[Poison] = []
    sent: list[CaseEvent] = []
    next_offset: dict[str, int] = {}

    def topic(event: CaseEvent) -> str:
        return f"{prefix}casehub.cases.{event.agency}"

    def offsets(event: CaseEvent) -> int:
        offset = next_offset.get(topic(event), 0)
        next_offset[topic(event)] = offset + 1
        return offset

    for event in events:
        kind = draw(st.sampled_from(KINDS))
        try:
            value, key, note = _poison(draw, kind, event, sent)
        except (ValueError, TypeError, KeyError) as exc:  # this mutation does not fit the Avro types
            value, key, note = CODEC.encode(event), event.case_id.encode(), f"unencodable {kind}: {exc!s:.60}"
            kind = "canary"
        if kind == "canary":
            sent.append(event)
        out.append(Poison(kind, InboundRecord(topic(event), 0, offsets(event), key, value, 0), note))
    return out


def _poison(
    draw: Any, kind: str, event: CaseEvent, sent: list[CaseEvent]
) -> tuple[bytes | None, bytes | None, str]:
    key = event.case_id.encode()
    good = CODEC.encode(event)
    datum = to_avro(event)
    if kind == "field":
        path = draw(st.sampled_from(leaves(datum)))
        edge = _edge_for(_get(datum, path), draw)
        try:
            return encode_datum(_set(datum, path, edge)), key, f"{path}={edge!r:.60}"
        except Exception as exc:  # the edge does not fit the Avro type: send the original
            return good, key, f"unencodable {path}: {type(exc).__name__}"
    if kind == "bytes":
        body = bytearray(good)
        for _ in range(draw(st.integers(1, 8))):
            body[draw(st.integers(5, len(body) - 1))] = draw(st.integers(0, 255))
        return bytes(body), key, "flipped bytes"
    if kind == "invalid_utf8":
        path = draw(st.sampled_from([p for p in leaves(datum) if isinstance(_get(datum, p), str)]))
        marked = encode_datum(_set(datum, path, MARKER))
        junk = draw(st.binary(min_size=len(MARKER), max_size=len(MARKER)).filter(_not_utf8))
        return marked.replace(MARKER.encode(), junk, 1), key, f"invalid UTF-8 in {path}"
    if kind == "schema_id":
        schema_id = draw(st.sampled_from([0, 1, 3, 999, 2**31 - 1, 2**32 - 1]))
        return bytes([0]) + schema_id.to_bytes(4, "big") + good[5:], key, f"schema id {schema_id}"
    if kind == "truncated":
        return good[: draw(st.integers(0, len(good) - 1))], key, "truncated"
    if kind == "oversized":
        datum = (
            _set(datum, ("payload", 1, "title"), "Z" * 900_000) if event.event_type == "CaseOpened" else datum
        )
        padded = {**datum, "producer": "P" * draw(st.integers(500_000, 1_000_000))}
        return encode_datum(padded), key, "oversized"
    if kind == "reused_id" and sent:
        victim = draw(st.sampled_from(sent))
        return (
            CODEC.encode(event.model_copy(update={"event_id": victim.event_id})),
            key,
            f"id of {victim.event_id}",
        )
    if kind == "redelivered" and sent:
        again = draw(st.sampled_from(sent))
        return CODEC.encode(again), again.case_id.encode(), f"again {again.event_id}"
    if kind == "key":
        wrong = draw(st.sampled_from([None, b"", b"\x00", key + b"x", b"\xff\xfe", key.upper() + b"-other"]))
        return good, wrong, f"key {wrong!r}"
    if kind == "tombstone":
        return None, key, "tombstone"
    return good, key, ""


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
