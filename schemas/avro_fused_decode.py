"""Avro bytes read and judged in one pass: each field read, checked and stored into the model being built.

The consumer's fast decode (schemas/avro_read_fast_path.py) first reads a message into fastavro's datum
(schemas/avro_compiled_reader.py: a dict per record, a (name, fields) tuple for the payload union,
a `uuid.UUID` for the id) and then walks that datum again to check it and build the models
(schemas/model_fast_check.py). Here the two generators are woven together: one generated function per
(Avro record, model class) reads each field's bytes with the reader's own lines into a local, applies the
model's own rules to it with the check's own lines, and builds the model and its JSON from the locals, so
no datum is built and nothing is looked up or type-tested twice. The payload union's branch index
chooses the payload's function directly.

Rules and reading are not copied: leaves are the lines of those two generators, so a rule or a read is
the same code in both paths. The structure (records, ["null", X] unions, arrays, enums by index) is
matched against the model's annotation when compiled; a schema and model that do not line up (a field
missing on either side, a type pairing not listed here) raise `UnsupportedSchema` or `UnsupportedModel`
then, and the reader + check path is used alone.

On any doubt at run time (bytes the reader is not sure of, a rule that fails) the function raises and
the caller runs the reader + check path, then fastavro + pydantic, unchanged: the verdict and the reason
are always pydantic's. tests/unit/test_avro_fused_decode.py compares the three on generated and mutated
bytes.
"""

from __future__ import annotations

import enum
import re
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from schemas.avro_compiled_reader import _Generator
from schemas.avro_fast_path import UnsupportedSchema
from schemas.model_fast_check import (
    REMEMBERED_CHARS,
    REMEMBERED_VALUES,
    ModelChecks,
    UnsupportedModel,
    _expanded,
    _metadata,
)

FusedRead = Callable[[bytes, int], tuple[Any, ...]]
"""(message, start) → (envelope model, the JSON of each of its `json_fields`, the position after the
record); raises on any doubt."""

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch
"""The form `str(uuid.UUID(...))` gives: a string in it is its own `str` once read as a UUID."""

REMEMBERED_BYTES = 2 * REMEMBERED_CHARS
"""The longest string (in UTF-8 bytes) the fused decode remembers by its bytes: about what the check's
REMEMBERED_CHARS of Vietnamese text take (2 bytes a letter, 3 for some), so no more memory than its memo."""

_LEAVES: dict[Any, set[tuple[str, str | None]]] = {
    str: {("string", None)},
    uuid.UUID: {("string", "uuid")},
    datetime: {("long", "timestamp-millis")},
    int: {("int", None), ("long", None)},
    float: {("double", None), ("float", None)},
}
"""The model types a leaf may have, with the Avro (type, logical type) pairs the reader reads as exactly that
type (`bytes.decode` a str, `uuid.UUID`, an aware UTC datetime, an int, a float): no type test is needed."""


def compile_fused(
    schema: Any,
    envelope: type[BaseModel],
    checks: ModelChecks,
    union_field: str,
    union_models: Mapping[str, type[BaseModel]],
    json_fields: tuple[str, ...],
) -> FusedRead:
    """The fused decode of `schema` (fastavro-parsed) into `envelope`, whose field `union_field` is the
    Avro union of records named in `union_models` (record name → model class); the function returns
    the envelope and the JSON of each of its `json_fields`. `checks` gives the rules (its settings: before
    validators, no-JSON models, pure checks, as for the reader + check path)."""
    return _Fuser(checks, union_field, union_models).entry(schema, envelope, json_fields)


class _Fuser:
    def __init__(
        self, checks: ModelChecks, union_field: str, union_models: Mapping[str, type[BaseModel]]
    ) -> None:
        self.checks = checks
        self.reader = _Generator()
        self.union_field = union_field
        self.union_models = union_models
        self.functions: dict[tuple[str, type[BaseModel]], str] = {}
        self.schemas: dict[str, dict[str, Any]] = {}
        self.sources: list[str] = []
        env = checks._env
        uuid_slots = {
            "_uuid_int": vars(uuid.UUID)["int"].__set__,  # the slots UUID.__init__ sets
            "_uuid_safe": vars(uuid.UUID)["is_safe"].__set__,
            "_UUID_UNKNOWN": uuid.SafeUUID.unknown,
            "_int": int,
        }
        for name, value in [*self.reader.env.items(), *uuid_slots.items()]:
            if env.setdefault(name, value) is not value:
                raise UnsupportedSchema(f"reader and checks both name {name}")

    def entry(self, schema: Any, envelope: type[BaseModel], json_fields: tuple[str, ...]) -> FusedRead:
        if not (isinstance(schema, dict) and schema.get("type") == "record"):
            raise UnsupportedSchema("the top-level schema must be a record")
        function = self._record(schema, envelope, json_fields)
        env = self.checks._env
        exec(compile("\n\n".join(self.sources), "<fused avro decode>", "exec"), env)
        fused: FusedRead = env[function]
        return fused

    def _unique(self, prefix: str) -> str:
        return self.checks._unique(f"fz{prefix}")

    def _record(
        self, schema: dict[str, Any], cls: type[BaseModel], json_fields: tuple[str, ...] | None = None
    ) -> str:
        """The function reading one record into `cls`: (model, its JSON, next position); the entry's
        (`json_fields` given): (model, the JSON of each of those fields, next position)."""
        self.schemas[schema["name"]] = schema
        key = (schema["name"], cls)
        if key in self.functions:
            return self.functions[key]
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            raise UnsupportedModel(f"{cls} is not a model")
        avro_fields = {field["name"]: field["type"] for field in schema["fields"]}
        if set(avro_fields) != set(cls.model_fields):
            raise UnsupportedSchema(f"{schema['name']} and {cls.__name__} have different fields")
        after = self.checks.after_validators(cls)
        function = self.functions[key] = self._unique(f"record_{cls.__name__}_")
        want_json = cls not in self.checks._no_json
        lines = [f"def {function}(buf, pos):"]
        variables: dict[str, tuple[str, str]] = {}
        for name in avro_fields:  # read in the writer's order...
            info = cls.model_fields[name]
            t, j = self._unique("t"), self._unique("j")
            if name == self.union_field and json_fields is not None:
                lines.extend(self._union_of_records(avro_fields[name], t, j, "    "))
            else:
                json = want_json or (json_fields is not None and name in json_fields)
                lines.extend(
                    self._value(avro_fields[name], info.annotation, _metadata(info), t, j, "    ", json)
                )
            variables[name] = (t, j)
        order = list(cls.model_fields)  # ...and kept in the model's, as pydantic keeps and dumps them
        lines.extend(self.checks.model_lines(cls, [f"{n!r}: {variables[n][0]}" for n in order], after))
        if json_fields is not None:
            lines.append(f"    return model, {', '.join(variables[name][1] for name in json_fields)}, pos")
        else:
            dumped = ", ".join(f"{n!r}: {variables[n][1]}" for n in order)
            lines.append(f"    return model, {{{dumped}}}, pos")
        self.sources.append("\n".join(lines))
        return function

    def _union_of_records(self, schema: Any, t: str, j: str, indent: str) -> list[str]:
        """The payload: its branch index picks the record and model (the envelope's after validator
        then checks that event_type names the same class, as pydantic's before validator makes it)."""
        if not isinstance(schema, list):
            raise UnsupportedSchema("the union field is not a union")
        index = self._unique("branch")
        lines = self.reader._long(index, indent)
        for position, branch in enumerate(schema):
            record = self._named(branch)
            model = self.union_models.get(str(record.get("name", "")))
            if model is None:
                raise UnsupportedSchema(f"no model for the union branch {record.get('name')}")
            keyword = "if" if position == 0 else "elif"
            lines += [
                f"{indent}{keyword} {index} == {position}:",
                f"{indent}    {t}, {j}, pos = {self._record(record, model)}(buf, pos)",
            ]
        return [*lines, f"{indent}else:", f"{indent}    raise _Unread('union index')"]

    def _named(self, schema: Any) -> dict[str, Any]:
        """A record schema, or the record a name refers to (fastavro writes a repeated record by name)."""
        if isinstance(schema, str) and schema in self.schemas:
            return self.schemas[schema]
        if isinstance(schema, dict) and schema.get("type") == "record":
            return schema
        raise UnsupportedSchema(f"{schema!r} is not a record")

    def _value(
        self, schema: Any, annotation: Any, metadata: list[Any], t: str, j: str, indent: str, want_json: bool
    ) -> list[str]:
        """Lines reading one value of `schema` at `pos` into `t` (the model's value) and `j` (its JSON)."""
        if typing.get_origin(annotation) is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            return self._value(schema, base, [*_expanded(extra), *metadata], t, j, indent, want_json)
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            return self._optional(schema, annotation, metadata, t, j, indent, want_json)
        if origin is tuple:
            return self._array(schema, annotation, metadata, t, j, indent, want_json)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if metadata:
                raise UnsupportedModel(f"constraints on a model field {annotation.__name__}")
            return [f"{indent}{t}, {j}, pos = {self._record(self._named(schema), annotation)}(buf, pos)"]
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self._enum(schema, annotation, metadata, t, j, indent, want_json)
        kind, logical = (
            (schema, None) if isinstance(schema, str) else (schema.get("type"), schema.get("logicalType"))
        )
        if (kind, logical) not in _LEAVES.get(annotation, set()):
            raise UnsupportedSchema(f"Avro {kind}/{logical} read as {annotation} is not fused")
        if annotation is uuid.UUID and want_json and not metadata:
            return self._uuid(schema, t, j, indent)
        if annotation is str and logical is None and self.checks._rememberable(metadata):
            return self._remembered_string(metadata, t, j, indent, want_json)
        return [  # the reader's own lines, then the check's (the reader gives this type: no type test)
            *self.reader._value(schema, t, indent),
            *self.checks.typed_leaf(annotation, metadata, t, j, indent, want_json),
        ]

    def _remembered_string(
        self, metadata: list[Any], t: str, j: str, indent: str, want_json: bool
    ) -> list[str]:
        """A string whose rules give the same answer for the same value every time (the check's own test,
        `_rememberable`), remembered by its bytes rather than by its text, as the check remembers it: a
        repeated code, unit or name is neither decoded nor checked again (~180 ns a field). Only values
        that decoded and passed every rule are kept, at most REMEMBERED_BYTES long and REMEMBERED_VALUES
        per field; the check's rules run on the rest."""
        raw, memo = self._unique("b"), self.checks._constant({}, "bmemo")
        return [
            *self.reader._string_bytes(raw, indent),
            f"{indent}{t} = {memo}.get({raw})",
            f"{indent}if {t} is None:",
            f"{indent}    {t} = {raw}.decode()",  # strict UTF-8, as the reader
            *self.checks._rules(t, metadata, indent + "    "),
            f"{indent}    if len({raw}) <= {REMEMBERED_BYTES}:",
            f"{indent}        if len({memo}) >= {REMEMBERED_VALUES}:",
            f"{indent}            {memo}.clear()",
            f"{indent}        {memo}[{raw}] = {t}",
            f"{indent}{j} = {t if want_json else None}",
        ]

    def _uuid(self, schema: Any, t: str, j: str, indent: str) -> list[str]:
        """A uuid and its JSON, `str(uuid)`: the string as written when it is already in that canonical form
        (lowercase 8-4-4-4-12 hex, which `str` gives back unchanged), saving `UUID.__str__`. A canonical
        string's UUID is also built from its 32 hex digits straight into the slots `UUID.__init__` sets
        (its `int` and `is_safe`, unknown), ~0.9 µs less than parsing it again; any other form is
        `uuid.UUID`'s to read, as the reader does."""
        raw = self._unique("raw")
        canonical = self.checks._constant(_CANONICAL_UUID, "canonical")
        return [
            *self.reader._value("string", raw, indent),
            f"{indent}if {canonical}({raw}) is not None:",
            f"{indent}    {t} = _object_new(_UUID)",
            f"{indent}    _uuid_int({t}, _int({raw}.replace('-', ''), 16))",
            f"{indent}    _uuid_safe({t}, _UUID_UNKNOWN)",
            f"{indent}    {j} = {raw}",
            f"{indent}else:",
            f"{indent}    {t} = _UUID({raw})",  # what the reader does for a uuid string
            f"{indent}    {j} = _str({t})",
        ]

    def _optional(
        self, schema: Any, annotation: Any, metadata: list[Any], t: str, j: str, indent: str, want_json: bool
    ) -> list[str]:
        """X | None read from an Avro ["null", X] or [X, "null"] union."""
        args = typing.get_args(annotation)
        held = [arg for arg in args if arg is not type(None)]
        if len(held) != 1 or len(args) != 2 or not isinstance(schema, list) or len(schema) != 2:
            raise UnsupportedSchema(f"{annotation} from {schema!r} is not fused")
        if "null" not in schema:
            raise UnsupportedSchema(f"{annotation} from a union without null")
        index = self._unique("branch")
        lines = self.reader._long(index, indent)
        for position, branch in enumerate(schema):
            lines.append(f"{indent}{'if' if position == 0 else 'elif'} {index} == {position}:")
            if branch == "null":
                lines.append(f"{indent}    {t} = {j} = None")
            else:
                lines += self._value(branch, held[0], metadata, t, j, indent + "    ", want_json)
        return [*lines, f"{indent}else:", f"{indent}    raise _Unread('union index')"]

    def _array(
        self, schema: Any, annotation: Any, metadata: list[Any], t: str, j: str, indent: str, want_json: bool
    ) -> list[str]:
        """tuple[X, ...] read from an Avro array (single-item blocks of any count; sized blocks refused,
        as the reader refuses them), its items checked as the check does, then the tuple's own rules."""
        args = typing.get_args(annotation)
        if (
            len(args) != 2
            or args[1] is not Ellipsis
            or not isinstance(schema, dict)
            or schema.get("type") != "array"
        ):
            raise UnsupportedSchema(f"{annotation} from {schema!r} is not fused")
        count, typed, dumped = self._unique("count"), self._unique("tl"), self._unique("jl")
        ti, ji = self._unique("ti"), self._unique("ji")
        inner = indent + "        "
        return [
            f"{indent}{typed} = []",
            f"{indent}{dumped} = []",
            f"{indent}while True:",
            *self.reader._long(count, indent + "    "),
            f"{indent}    if {count} == 0:",
            f"{indent}        break",
            f"{indent}    if {count} < 0 or {count} > len(buf):",
            f"{indent}        raise _Unread('array block')",
            f"{indent}    for _ in range({count}):",
            *self._value(schema["items"], args[0], [], ti, ji, inner, want_json),
            f"{inner}{typed}.append({ti})",
            f"{inner}{dumped}.append({ji})",
            f"{indent}{t} = _tuple({typed})",
            *self.checks._rules(t, metadata, indent),
            f"{indent}{j} = {dumped if want_json else None}",
        ]

    def _enum(
        self,
        schema: Any,
        annotation: type[enum.Enum],
        metadata: list[Any],
        t: str,
        j: str,
        indent: str,
        want_json: bool,
    ) -> list[str]:
        """A str enum member picked by the Avro symbol's index (a symbol the model lacks: declined)."""
        if metadata or not issubclass(annotation, str):
            raise UnsupportedModel(f"enum {annotation.__name__} with constraints or not a str enum")
        if not isinstance(schema, dict) or schema.get("type") != "enum":
            raise UnsupportedSchema(f"{annotation.__name__} from {schema!r} is not fused")
        by_value = {member.value: member for member in annotation}
        symbols = schema["symbols"]
        members = self.checks._constant(tuple(by_value.get(symbol) for symbol in symbols), "members")
        names = self.checks._constant(tuple(symbols), "symbols")
        index = self._unique("index")
        return [
            *self.reader._long(index, indent),
            f"{indent}if not 0 <= {index} < {len(symbols)}:",
            f"{indent}    raise _Unread('enum index')",
            f"{indent}{t} = {members}[{index}]",
            f"{indent}if {t} is None:",
            f"{indent}    raise _D('enum symbol not in the model')",
            f"{indent}{j} = {f'{names}[{index}]' if want_json else None}",
        ]
