"""A schemaless Avro writer compiled from one parsed schema, reading our pydantic models directly.

`CaseEventCodec.encode` used to dump each event to dicts (`model_dump`) and hand them to fastavro,
which resolves every union branch by validating the datum against each candidate: ~25 µs an event,
most of the publisher's CPU. This writer compiles the schema once into one small function per field
(type decided ahead, union branch chosen by `None` or by record name) that reads the model's
attributes. It writes exactly fastavro's bytes (a unit test compares them over simulated events);
anything it does not expect raises, and the codec then lets fastavro encode that event, so odd data
gets fastavro's answer and error.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

Writer = Callable[[bytearray, Any], None]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")


class UnsupportedSchema(ValueError):
    """The schema uses a construct this writer does not compile (the codec then keeps fastavro)."""


def compile_writer(schema: Any) -> Writer:
    """A function writing a datum of `schema` (a fastavro-parsed schema) to a bytearray."""
    return _Compiler().compile(schema, "")


def _write_long(out: bytearray, value: int) -> None:
    value = (value << 1) ^ (value >> 63)
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write_string(out: bytearray, value: Any) -> None:
    if value.__class__ is not str and not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    data = value.encode()
    _write_long(out, len(data))
    out += data


def _write_uuid(out: bytearray, value: Any) -> None:
    _write_string(out, str(value) if isinstance(value, uuid.UUID) else value)


def _write_int(out: bytearray, value: Any) -> None:
    if not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    _write_long(out, value)


def _write_timestamp_millis(out: bytearray, value: Any) -> None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: let fastavro decide")
        delta = value - _EPOCH
        value = (delta.days * 24 * 3600 + delta.seconds) * 1000 + int(delta.microseconds / 1000)
    _write_int(out, value)


def _write_boolean(out: bytearray, value: Any) -> None:
    out.append(1 if value else 0)


def _write_double(out: bytearray, value: Any) -> None:
    out += _DOUBLE.pack(value)


def _write_float(out: bytearray, value: Any) -> None:
    out += _FLOAT.pack(value)


def _write_null(out: bytearray, value: Any) -> None:
    if value is not None:
        raise TypeError(f"{value!r} is not null")


class _Compiler:
    def __init__(self) -> None:
        self.named: dict[str, Any] = {}
        self.compiled: dict[str, Writer] = {}

    def compile(self, schema: Any, namespace: str) -> Writer:
        if isinstance(schema, list):
            return self._union(schema, namespace)
        if isinstance(schema, str):
            return self._named_or_primitive(schema, namespace)
        kind = schema["type"]
        logical = schema.get("logicalType")
        if kind == "record":
            return self._record(schema, namespace)
        if kind == "enum":
            return self._enum(schema)
        if kind == "array":
            return self._array(self.compile(schema["items"], namespace))
        if kind == "map":
            return self._map(self.compile(schema["values"], namespace))
        if kind == "long" and logical == "timestamp-millis":
            return _write_timestamp_millis
        if kind == "string" and logical == "uuid":
            return _write_uuid
        if logical is not None or not isinstance(kind, str):
            raise UnsupportedSchema(f"no compiled writer for {schema!r}")
        return self._named_or_primitive(kind, namespace)

    def _named_or_primitive(self, name: str, namespace: str) -> Writer:
        primitive = {
            "null": _write_null,
            "boolean": _write_boolean,
            "int": _write_int,
            "long": _write_int,
            "double": _write_double,
            "float": _write_float,
            "string": _write_string,
        }.get(name)
        if primitive is not None:
            return primitive
        full = name if "." in name or not namespace else f"{namespace}.{name}"
        if full in self.compiled:
            return self.compiled[full]
        if full in self.named:
            return lambda out, value: self.compiled[full](out, value)  # recursive: resolved when called
        raise UnsupportedSchema(f"no compiled writer for {name!r}")

    def _full_name(self, schema: dict[str, Any]) -> str:
        name: str = schema["name"]
        namespace = schema.get("namespace")
        return f"{namespace}.{name}" if namespace and "." not in name else name

    def _record(self, schema: dict[str, Any], namespace: str) -> Writer:
        full = self._full_name(schema)
        self.named[full] = schema
        inner = full.rsplit(".", 1)[0] if "." in full else namespace
        fields = tuple((field["name"], self.compile(field["type"], inner)) for field in schema["fields"])

        def write_record(out: bytearray, datum: Any) -> None:
            if isinstance(datum, dict):
                for name, write in fields:
                    write(out, datum[name])
            else:
                for name, write in fields:
                    write(out, getattr(datum, name))

        self.compiled[full] = write_record
        return write_record

    def _enum(self, schema: dict[str, Any]) -> Writer:
        index = {symbol: position for position, symbol in enumerate(schema["symbols"])}

        def write_enum(out: bytearray, value: Any) -> None:
            _write_long(out, index[value.value if isinstance(value, Enum) else value])

        self.compiled[self._full_name(schema)] = write_enum
        return write_enum

    @staticmethod
    def _array(write_item: Writer) -> Writer:
        def write_array(out: bytearray, values: Any) -> None:
            if not isinstance(values, (list, tuple)):
                raise TypeError(f"{values!r} is not a list")
            if values:
                _write_long(out, len(values))
                for value in values:
                    write_item(out, value)
            out.append(0)

        return write_array

    @staticmethod
    def _map(write_value: Writer) -> Writer:
        def write_map(out: bytearray, values: Any) -> None:
            if values:
                _write_long(out, len(values))
                for key, value in values.items():
                    _write_string(out, key)
                    write_value(out, value)
            out.append(0)

        return write_map

    def _union(self, branches: list[Any], namespace: str) -> Writer:
        kinds = [branch if isinstance(branch, str) else branch.get("type") for branch in branches]
        others = [position for position, kind in enumerate(kinds) if kind != "null"]
        writers = [self.compile(branch, namespace) for branch in branches]
        if "null" in kinds and len(others) == 1:
            null_index, other = kinds.index("null"), others[0]
            write_other = writers[other]
            null_tag, other_tag = bytes([null_index * 2]), bytes([other * 2])

            def write_optional(out: bytearray, value: Any) -> None:
                if value is None:
                    out += null_tag
                else:
                    out += other_tag
                    write_other(out, value)

            return write_optional
        if all(kind == "record" for kind in kinds):
            by_name: dict[str, tuple[int, Writer]] = {}
            for position, branch in enumerate(branches):
                full = self._full_name(branch)
                by_name[full] = by_name[full.rsplit(".", 1)[-1]] = (position, writers[position])

            def write_records(out: bytearray, value: Any) -> None:
                if isinstance(value, tuple):  # fastavro's (record name, datum) notation
                    name, value = value
                else:
                    name = getattr(value, "event_type", None) or type(value).__name__
                position, write = by_name[name]
                _write_long(out, position)
                write(out, value)

            return write_records
        raise UnsupportedSchema(f"no compiled writer for union {kinds}")
