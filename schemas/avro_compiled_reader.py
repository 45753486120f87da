"""A schemaless Avro reader compiled from one parsed schema: fastavro's datum, a third of its cost.

fastavro's `schemaless_reader` walks the schema for every message, dispatching on type names field by
field (~20 µs an event here). The generated code is one straight-line Python function per record, each
type decided ahead, reading a `bytes` object by position. It gives exactly the datum fastavro gives with
`return_record_name=True, return_record_name_override=True` (payload union as (record name, fields),
["null", X] as X or None, timestamp-millis as aware UTC datetimes, uuid strings as `uuid.UUID`);
tests/unit/test_avro_compiled_reader.py compares the two on generated and mutated bytes.

It only reads what it is sure of: a varint past 64 bits, a negative or oversized length, an enum or
union index out of range, an array in sized blocks, bytes left over or missing all raise, and the
caller (schemas/avro_read_fast_path.py) then leaves the message to fastavro, which gives its own datum
or error. A schema using a type it does not compile raises `UnsupportedSchema` when compiled.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from schemas.avro_fast_path import UnsupportedSchema


class Reader(Protocol):
    """Reads one message body from a position (past a frame's header: no copy of the body) to the end."""

    def __call__(self, data: bytes, start: int = 0) -> Any: ...


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LONG_BYTES = 10


class Unread(ValueError):
    """The bytes are not something this reader is sure of; fastavro reads them instead."""


def _unrolled_long_tail() -> Callable[[bytes, int, int], tuple[int, int]]:
    """`_long_tail`, straight-line: a varint of more than one byte (its first byte already read) as its
    zig-zag value and the next position. Timestamps are 6-byte varints, three an event: unrolled, the
    byte loop costs about half. Past 10 bytes, or 64 bits, it is not a long (`Unread`)."""
    lines = ["def _long_tail(buf, pos, first):", "    n = first & 0x7F"]
    for k in range(1, _LONG_BYTES):
        lines += [f"    b = buf[pos + {k - 1}]", f"    n |= (b & 0x7F) << {7 * k}"]
        if k < _LONG_BYTES - 1:
            lines += ["    if not b & 0x80:", f"        return (n >> 1) ^ -(n & 1), pos + {k}"]
    lines += [
        "    if b & 0x80:",
        "        raise _Unread('varint longer than a long')",
        "    if n >= 1 << 64:",
        "        raise _Unread('varint beyond 64 bits')",
        f"    return (n >> 1) ^ -(n & 1), pos + {_LONG_BYTES - 1}",
    ]
    env: dict[str, Any] = {"_Unread": Unread}
    exec(compile("\n".join(lines), "<avro long>", "exec"), env)
    function: Callable[[bytes, int, int], tuple[int, int]] = env["_long_tail"]
    return function


_long_tail = _unrolled_long_tail()

_ZIGZAG: tuple[int | None, ...] = tuple(
    None if byte & 0x80 else (byte >> 1) ^ -(byte & 1) for byte in range(256)
)
"""The value of a one-byte varint by its byte (None: more bytes follow). Most varints of an event are one
byte (string lengths, union and enum indexes, array counts): a tuple index instead of the four integer
operations of the zig-zag costs ~50 ns less each, ~30 an event."""


def compile_reader(schema: Any) -> Reader:
    """A function reading a whole message body of `schema` (fastavro-parsed) into fastavro's datum."""
    return _Generator().reader(schema)


class _Generator:
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.sources: list[str] = []
        self.counter = 0
        self.env: dict[str, Any] = {
            "_long_tail": _long_tail,
            "_ZIGZAG": _ZIGZAG,
            "_Unread": Unread,
            "_EPOCH": _EPOCH,
            "_timedelta": timedelta,
            "_UUID": uuid.UUID,
            "_double": struct.Struct("<d").unpack_from,
            "_float": struct.Struct("<f").unpack_from,
        }

    def reader(self, schema: Any) -> Reader:
        if not (isinstance(schema, dict) and schema.get("type") == "record"):
            raise UnsupportedSchema("the top-level schema must be a record")
        entry = self._record(schema)
        exec(compile("\n\n".join(self.sources), "<avro reader>", "exec"), self.env)
        record = self.env[entry]

        def read(data: bytes, start: int = 0) -> Any:
            datum, end = record(data, start)
            if end != len(data):
                raise Unread("bytes left after the record")
            return datum

        return read

    def _unique(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}{self.counter}"

    def _record(self, schema: dict[str, Any]) -> str:
        full = schema["name"]
        if full in self.names:
            return self.names[full]
        function = self.names[full] = self._unique("record")
        lines = [f"def {function}(buf, pos):"]
        values = []
        for field in schema["fields"]:
            var = self._unique("v")
            lines.extend(self._value(field["type"], var, "    "))
            values.append(f"{field['name']!r}: {var}")
        lines.append(f"    return {{{', '.join(values)}}}, pos")
        self.sources.append("\n".join(lines))
        return function

    def _long(self, var: str, indent: str) -> list[str]:
        """A varint: one byte (most lengths, indexes, counts) looked up in `_ZIGZAG`, longer ones read by
        `_long_tail` from that first byte."""
        return [
            f"{indent}{var} = _ZIGZAG[buf[pos]]",
            f"{indent}pos += 1",
            f"{indent}if {var} is None:",
            f"{indent}    {var}, pos = _long_tail(buf, pos, buf[pos - 1])",
        ]

    def _string_length(self, size: str, indent: str) -> list[str]:
        """A string's byte length into `size`, refused when negative or past the end."""
        return [
            *self._long(size, indent),
            f"{indent}if {size} < 0 or pos + {size} > len(buf):",
            f"{indent}    raise _Unread('string length')",
        ]

    def _string_bytes(self, var: str, indent: str) -> list[str]:
        """A string's UTF-8 bytes, not yet decoded, into `var` (the fused decode looks them up first)."""
        size = self._unique("n")
        return [
            *self._string_length(size, indent),
            f"{indent}{var} = buf[pos : pos + {size}]",
            f"{indent}pos += {size}",
        ]

    def _value(self, schema: Any, var: str, indent: str) -> list[str]:
        """Lines reading one value of `schema` at `pos` into `var`, advancing `pos`."""
        if isinstance(schema, list):
            return self._union(schema, var, indent)
        if isinstance(schema, str):
            kind, logical = schema, None
            if kind in self.names:
                return [f"{indent}{var}, pos = {self.names[kind]}(buf, pos)"]
        else:
            kind, logical = schema["type"], schema.get("logicalType")
        if kind == "record":
            return [f"{indent}{var}, pos = {self._record(schema)}(buf, pos)"]
        if kind in ("int", "long"):
            lines = self._long(var, indent)
            if logical == "timestamp-millis" and kind == "long":
                lines.append(
                    f"{indent}{var} = _EPOCH + _timedelta(0, 0, 0, {var})"
                )  # ms, positional: 25% less
            elif logical is not None:
                raise UnsupportedSchema(f"no compiled reader for logical type {logical}")
            return lines
        if kind == "string":
            size = self._unique("n")
            lines = [
                *self._string_length(size, indent),
                f"{indent}{var} = buf[pos : pos + {size}].decode()",  # strict UTF-8, as fastavro
                f"{indent}pos += {size}",
            ]
            if logical == "uuid":
                lines.append(f"{indent}{var} = _UUID({var})")
            elif logical is not None:
                raise UnsupportedSchema(f"no compiled reader for logical type {logical}")
            return lines
        if logical is not None:
            raise UnsupportedSchema(f"no compiled reader for logical type {logical}")
        if kind == "double":
            return [f"{indent}({var},) = _double(buf, pos)", f"{indent}pos += 8"]
        if kind == "float":
            return [f"{indent}({var},) = _float(buf, pos)", f"{indent}pos += 4"]
        if kind == "null":
            return [f"{indent}{var} = None"]
        if kind == "enum":
            symbols = self._unique("symbols")
            self.env[symbols] = tuple(schema["symbols"])
            return [
                *self._long(var, indent),
                f"{indent}if not 0 <= {var} < {len(schema['symbols'])}:",
                f"{indent}    raise _Unread('enum index')",
                f"{indent}{var} = {symbols}[{var}]",
            ]
        if kind == "array":
            count, item = self._unique("count"), self._unique("item")
            return [
                f"{indent}{var} = []",
                f"{indent}while True:",
                *self._long(count, indent + "    "),
                f"{indent}    if {count} == 0:",
                f"{indent}        break",
                f"{indent}    if {count} < 0 or {count} > len(buf):",  # sized blocks: fastavro reads them
                f"{indent}        raise _Unread('array block')",
                f"{indent}    for _ in range({count}):",
                *self._value(schema["items"], item, indent + "        "),
                f"{indent}        {var}.append({item})",
            ]
        raise UnsupportedSchema(f"no compiled reader for {kind!r}")

    def _union(self, branches: list[Any], var: str, indent: str) -> list[str]:
        """fastavro's union datum: with return_record_name_override, a union holding one record (or
        named reference, which fastavro counts as one) gives it bare, more give (record name, fields)."""
        names = [_record_name(branch) for branch in branches]
        named = sum(name is not None for name in names) > 1
        index = self._unique("branch")
        lines = self._long(index, indent)
        for position, branch in enumerate(branches):
            keyword = "if" if position == 0 else "elif"
            lines.append(f"{indent}{keyword} {index} == {position}:")
            lines.extend(self._value(branch, var, indent + "    "))
            if named and names[position] is not None:
                lines.append(f"{indent}    {var} = ({names[position]!r}, {var})")
        lines += [f"{indent}else:", f"{indent}    raise _Unread('union index')"]
        return lines


_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _record_name(branch: Any) -> str | None:
    """The name fastavro gives a union branch it counts as a record, else None."""
    if isinstance(branch, dict):
        if branch.get("type") == "record":
            return str(branch["name"])
        if branch.get("type") in ("enum", "fixed"):
            raise UnsupportedSchema("a named enum or fixed in a union")
        return None
    if isinstance(branch, str) and branch not in _PRIMITIVES:
        return branch
    return None
