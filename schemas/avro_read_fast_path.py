"""The consumer's fast decode: an event of the latest schema read and judged without pydantic's validator.

Mirrors schemas/avro_fast_path.py on the decode side. Today's path (fastavro's datum → `CaseEvent.
model_validate` → `model_dump` for the log row, and the payload validated once more in the fold) costs
~80 µs an event, two thirds of it pydantic. This path reads the same datum and judges it with checks
compiled from the models (schemas/model_fast_check.py): an event passing them is the very model pydantic
would build, with the JSON the log row keeps, for a fraction of the cost. Whatever it is not sure of (a
rule broken, an older writer schema, a shape it does not expect, bytes fastavro cannot read) it
declines: `decode` returns None, the decline is counted by reason and the first of each logged
(`FastPathDeclines`), and the caller decodes the message the plain way, which gives today's verdict and
reason. So acceptance and refusal never differ between the two paths; tests/unit/test_avro_read_fast_path
.py compares them on generated events mutated field by field.

In front of the reader + check stands their fused form (schemas/avro_fused_decode.py): the bytes read
and checked field by field straight into the models, without the datum in between. What it is not sure
of it hands to the reader + check (counted in `fused_declines`), which judge as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from schemas.avro_compiled_reader import Reader, compile_reader
from schemas.avro_fast_path import UnsupportedSchema
from schemas.avro_fused_decode import FusedRead, compile_fused
from schemas.catalog import ENVELOPE_RECORD, SchemaVersion
from schemas.events import PAYLOAD_TYPES, CaseEvent
from schemas.fast_path_declines import FastPathDeclines
from schemas.model_fast_check import Check, Declined, ModelChecks, UnsupportedModel
from schemas.shapes import PURE_STRING_CHECKS
from schemas.wire import HEADER_SIZE, MAGIC_BYTE

_NAMESPACE = ENVELOPE_RECORD.rsplit(".", 1)[0]


_NOT_COMPILED = (UnsupportedModel, UnsupportedSchema, LookupError, TypeError, AttributeError)
"""What compiling a read path for a schema may raise: that path is then off and the next one judges."""


class FastDecoded(NamedTuple):
    """An accepted event, and the JSON of its distribution, payload and id as the log row keeps them."""

    event: CaseEvent
    distribution: dict[str, Any]
    payload: dict[str, Any]
    event_id: str


_tuple_new = tuple.__new__
"""`FastDecoded(...)` without its generated `__new__` (a Python frame around this very call): ~0.25 µs an
event less; the same tuple of the same class."""


def _event_checks() -> ModelChecks:
    """The model checks of a case event: the payload is chosen by the caller, the envelope's own fields
    need no JSON (the log row keeps their values), the shapes' string checks are pure."""
    return ModelChecks(
        before_validators=frozenset({(CaseEvent, "_payload_by_event_type")}),
        no_json=frozenset({CaseEvent}),
        pure=PURE_STRING_CHECKS,
    )


def compile_fused_event_read(writer: SchemaVersion) -> FusedRead:
    """The fused read and check of a case event of `writer` (schemas/avro_fused_decode.py)."""
    union = {f"{_NAMESPACE}.{name}": cls for name, cls in PAYLOAD_TYPES.items()}
    json = ("distribution", "payload", "event_id")
    return compile_fused(writer.parsed, CaseEvent, _event_checks(), "payload", union, json)


def compile_event_check() -> Check:
    """The check of a case-event datum (fastavro's shape: the payload as (record name, fields))."""
    checks = _event_checks()
    by_record = {f"{_NAMESPACE}.{name}": checks.model(cls) for name, cls in PAYLOAD_TYPES.items()}

    def payload(raw: Any) -> tuple[Any, Any]:
        """The payload's class named by its union branch; `_envelope_agrees_with_payload` then checks
        that event_type names the same class (what `_payload_by_event_type` makes pydantic do)."""
        if raw.__class__ is not tuple or len(raw) != 2:
            raise Declined("payload is not a named union branch")
        return by_record[raw[0]](raw[1])

    checks.field_overrides[(CaseEvent, "payload")] = payload
    return checks.model(CaseEvent)


class CompiledReadPath:
    """The fast decode of one writer schema (the latest); `decode` gives the event or None (declined)."""

    def __init__(self, writer: SchemaVersion, declines: FastPathDeclines | None = None) -> None:
        self.declines = declines or FastPathDeclines("avro_read_fast_path")
        self.fused_declines = FastPathDeclines("avro_fused_decode")
        """What the fused read handed to the reader + check (which then counts its own in `declines`)."""
        self._header = bytes([MAGIC_BYTE]) + writer.schema_id.to_bytes(4, "big")
        self._check: Check | None
        self._read: Reader | None
        try:
            self._read = compile_reader(writer.parsed)
            self._check = compile_event_check()
        except _NOT_COMPILED as exc:
            self._read = self._check = None
            self.declines.declined("not_compiled", error=f"{type(exc).__name__}: {exc}")
        self._fused: FusedRead | None
        try:
            self._fused = compile_fused_event_read(writer)
        except _NOT_COMPILED as exc:
            self._fused = None
            self.fused_declines.declined("not_compiled", error=f"{type(exc).__name__}: {exc}")

    @property
    def active(self) -> bool:
        """False when the schema or models could not be compiled: every message goes the plain way."""
        return self._check is not None

    def decode(self, data: bytes) -> FastDecoded | None:
        """The accepted event of a framed message, or None (counted) when the plain path must judge it."""
        if self._check is None or self._read is None:
            self.declines.declined("not_compiled")
            return None
        if data[:HEADER_SIZE] != self._header:
            self.declines.declined("other_schema_or_header")
            return None
        if self._fused is not None:
            try:
                event, distribution, payload, event_id, end = self._fused(data, HEADER_SIZE)
                if end == len(data):
                    return _tuple_new(FastDecoded, (event, distribution, payload, event_id))
                self.fused_declines.declined("bytes_left")
            except Exception as exc:  # not sure: the reader + check judge it (then maybe pydantic)
                self.fused_declines.declined(type(exc).__name__)
        try:
            datum = self._read(data, HEADER_SIZE)  # from past the header, not a copy of the body
            event, dumped = self._check(datum)
        except Exception as exc:  # a rule broken or a surprise: the plain path gives the verdict
            self.declines.declined(type(exc).__name__)
            return None
        return FastDecoded(event, dumped["distribution"], dumped["payload"], str(event.event_id))
