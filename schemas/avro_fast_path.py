"""The Avro fast path: a schemaless writer compiled from one parsed schema, reading our models directly.

This is the only module that generates and `exec`s code. It stands in front of fastavro's plain
path (`schemaless_writer` over `model_dump` dicts), which resolves every union branch by validating
the datum against each candidate: ~25 µs an event, most of the publisher's CPU. The generated code is
one straight-line Python function per record (types decided ahead, a union branch chosen by `None` or
by the payload's record name) that reads the model's attributes: ~4x faster, and exactly fastavro's
bytes (tests/unit/test_avro_fast_path.py compares them for every event type, against the installed
fastavro). It relies on fastavro's parsed-schema shape (`parse_schema`: dicts with full names, unions as
lists); a schema it cannot compile, or a datum it does not expect, is handed to fastavro, and the decline
is counted and logged (`FastPathDeclines`), never silent.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from schemas.fast_path_declines import FastPathDeclines

Writer = Callable[[bytearray, Any], None]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")
_LONG_LIMIT = 1 << 63


class UnsupportedSchema(ValueError):
    """The schema uses a construct this writer does not compile (fastavro then writes every datum)."""


class CompiledAvroPath:
    """The compiled writer of one schema, or the reason it declined; `write` says whether it wrote."""

    def __init__(self, schema: Any, declines: FastPathDeclines | None = None) -> None:
        self.declines = declines or FastPathDeclines("avro_compiled_writer")
        self._write: Writer | None
        try:
            self._write = compile_writer(schema)
        except (UnsupportedSchema, LookupError, TypeError, AttributeError) as exc:
            self._write = None
            self.declines.declined("schema_not_compiled", error=f"{type(exc).__name__}: {exc}")

    @property
    def active(self) -> bool:
        """False when the schema could not be compiled: every datum goes to fastavro (and is counted)."""
        return self._write is not None

    def write(self, out: bytearray, datum: Any) -> bool:
        """Append the datum's bytes to `out`; False (counted, logged, `out` as it was): fastavro writes it."""
        if self._write is None:
            self.declines.declined("schema_not_compiled")
            return False
        start = len(out)
        try:
            self._write(out, datum)
        except Exception as exc:  # any surprise in generated code: fastavro gives the answer (and error)
            del out[start:]
            self.declines.declined(type(exc).__name__, error=str(exc)[:200])
            return False
        return True


def compile_writer(schema: Any) -> Writer:
    """A function writing a datum of `schema` (a fastavro-parsed schema, datum a model) to a bytearray."""
    return _Generator().writer(schema)


def _write_long(out: bytearray, value: int) -> None:
    if not -_LONG_LIMIT <= value < _LONG_LIMIT:  # fastavro refuses these too
        raise OverflowError(f"{value} does not fit an Avro long")
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


class _Generator:
    """Python source for one function per named record, straight-line over its fields.

    Models are read by attribute; a value of an unexpected type raises (AttributeError, TypeError,
    KeyError, ...) somewhere in the generated code, and `CompiledAvroPath` hands that datum to fastavro.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # full record name -> function name
        self.sources: list[str] = []
        self.env: dict[str, Any] = {
            "_write_long": _write_long,
            "_write_uuid": _write_uuid,
            "_write_timestamp_millis": _write_timestamp_millis,
            "_datetime": datetime,
            "_EPOCH": _EPOCH,
            "_pack_double": _DOUBLE.pack,
            "_pack_float": _FLOAT.pack,
            "_SEQUENCES": (list, tuple),
            "TypeError": TypeError,
            "isinstance": isinstance,
            "len": len,
        }
        self.counter = 0
        self.unions: list[dict[str, Any]] = []

    def writer(self, schema: Any) -> Writer:
        if not (isinstance(schema, dict) and schema.get("type") == "record"):
            raise UnsupportedSchema("the top-level schema must be a record")
        entry = self._record(schema)
        exec(compile("\n\n".join(self.sources), "<avro writer>", "exec"), self.env)
        for table in self.unions:  # now that the record functions exist
            for name, (tag, function_name) in table.items():
                table[name] = (tag, self.env[function_name])
        function: Writer = self.env[entry]
        return function

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}{self.counter}"

    def _record(self, schema: dict[str, Any]) -> str:
        full = schema["name"]
        if full in self.names:
            return self.names[full]
        function = self.names[full] = self._name("record")
        lines = [f"def {function}(out, datum):"]
        for field in schema["fields"]:
            lines.append(f"    value = datum.{_identifier(field['name'])}")
            lines.extend(self._value(field["type"], "value", "    ", 0))
        if len(lines) == 1:
            lines.append("    pass")
        self.sources.append("\n".join(lines))
        return function

    def _value(self, schema: Any, var: str, indent: str, depth: int) -> list[str]:
        """Lines writing `var` (an expression that is a plain name) of `schema`."""
        if isinstance(schema, list):
            return self._union(schema, var, indent, depth)
        if isinstance(schema, str):
            kind, logical = schema, None
        else:
            kind, logical = schema["type"], schema.get("logicalType")
        if kind == "record" or (isinstance(schema, str) and kind in self.names):
            function = self._record(schema) if isinstance(schema, dict) else self.names[kind]
            return [f"{indent}{function}(out, {var})"]
        if logical == "timestamp-millis" and kind == "long":
            return [  # aware datetimes inline (fastavro's arithmetic), anything else through the helper
                f"{indent}if {var}.__class__ is _datetime and {var}.tzinfo is not None:",
                f"{indent}    delta = {var} - _EPOCH",
                f"{indent}    seconds = delta.days * 86400 + delta.seconds",
                f"{indent}    _write_long(out, seconds * 1000 + delta.microseconds // 1000)",
                f"{indent}else:",
                f"{indent}    _write_timestamp_millis(out, {var})",
            ]
        if logical == "uuid" and kind == "string":
            return [f"{indent}_write_uuid(out, {var})"]
        if logical is not None:
            raise UnsupportedSchema(f"no generated writer for logical type {logical}")
        if kind == "string":
            return [
                f"{indent}data = {var}.encode()",
                f"{indent}size = len(data)",
                f"{indent}if size < 64:",
                f"{indent}    out.append(size << 1)",
                f"{indent}else:",
                f"{indent}    _write_long(out, size)",
                f"{indent}out += data",
            ]
        if kind in ("int", "long"):
            return [f"{indent}_write_long(out, {var})"]  # raises TypeError unless an int (or bool)
        if kind == "boolean":
            return [f"{indent}out.append(1 if {var} else 0)"]
        if kind == "double":
            return [f"{indent}out += _pack_double({var})"]
        if kind == "float":
            return [f"{indent}out += _pack_float({var})"]
        if kind == "null":
            return [f"{indent}if {var} is not None:", f"{indent}    raise TypeError('not null')"]
        if kind == "enum":
            table = self._name("symbols")
            self.env[table] = {
                symbol: _long_bytes(position) for position, symbol in enumerate(schema["symbols"])
            }
            return [f"{indent}out += {table}[{var}]"]
        if kind == "array":
            item = f"item{depth}"
            return [
                f"{indent}if not isinstance({var}, _SEQUENCES):",
                f"{indent}    raise TypeError('not a list')",
                f"{indent}if {var}:",
                f"{indent}    _write_long(out, len({var}))",
                f"{indent}    for {item} in {var}:",
                *self._value(schema["items"], item, indent + "        ", depth + 1),
                f"{indent}out.append(0)",
            ]
        raise UnsupportedSchema(f"no generated writer for {kind!r}")

    def _union(self, branches: list[Any], var: str, indent: str, depth: int) -> list[str]:
        kinds = [branch if isinstance(branch, str) else branch["type"] for branch in branches]
        others = [position for position, kind in enumerate(kinds) if kind != "null"]
        if "null" in kinds and len(others) == 1 and len(kinds) == 2:
            other = others[0]
            return [
                f"{indent}if {var} is None:",
                f"{indent}    out.append({kinds.index('null') * 2})",
                f"{indent}else:",
                f"{indent}    out.append({other * 2})",
                *self._value(branches[other], var, indent + "    ", depth + 1),
            ]
        if all(kind == "record" for kind in kinds) and len(kinds) < 64:
            table = self._name("branches")
            self.env[table] = {
                branch["name"].rsplit(".", 1)[-1]: (bytes([position * 2]), self._record(branch))
                for position, branch in enumerate(branches)
            }
            self.unions.append(self.env[table])
            chosen = f"branch{depth}"
            return [
                f"{indent}{chosen} = {table}[{var}.event_type]",  # payload models name their record
                f"{indent}out += {chosen}[0]",
                f"{indent}{chosen}[1](out, {var})",
            ]
        raise UnsupportedSchema(f"no generated writer for union {kinds}")


def _long_bytes(value: int) -> bytes:
    out = bytearray()
    _write_long(out, value)
    return bytes(out)


def _identifier(name: str) -> str:
    if not name.isidentifier():
        raise UnsupportedSchema(f"field {name!r} is not a Python identifier")
    return name
