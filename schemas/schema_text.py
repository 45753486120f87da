"""Avro schema texts: validated parsing, and the canonical form deciding whether two texts are one schema."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastavro import parse_schema
from fastavro.schema import SchemaParseException, UnknownType

from schemas.errors import InvalidSchemaError
from schemas.json_text import NotJson, json_value

MAX_NESTING = 200
"""JSON levels a schema text may nest (an Avro record in a record is three: object, fields list, field).
The case contract nests under 10; every walk of a schema (fastavro's parse, the compatibility check, the
canonical form) recurses, and past the interpreter's stack a deeper text would fail there as an internal
error (RecursionError) instead of a refusal saying why."""


def parse_schema_text(text: str) -> Any:
    """The JSON form of a schema text, after fastavro has accepted it as valid Avro."""
    try:
        schema = json_value(text)
    except NotJson as exc:
        raise InvalidSchemaError(f"schema is not JSON: {exc}") from None
    if nesting(schema) > MAX_NESTING:
        raise InvalidSchemaError(
            f"not a valid Avro schema here: its types are nested too deep (over {MAX_NESTING} JSON levels)"
        )
    try:
        parse_schema(schema)
    except (SchemaParseException, UnknownType, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidSchemaError(f"not a valid Avro schema: {type(exc).__name__}: {exc}") from exc
    except RecursionError:  # types nested deeper than the interpreter's stack
        raise InvalidSchemaError("not a valid Avro schema: its types are nested too deep") from None
    return schema


def nesting(value: Any) -> int:
    """How many JSON levels (objects and lists) `value` nests, counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, level = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in children)
    return deepest


def canonical_text(schema: Any) -> str:
    """JSON with sorted keys and no spacing: whitespace and key order never make a new schema id.

    Unlike Avro's parsing canonical form it keeps defaults, aliases and docs, which change resolution.
    """
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def schema_fingerprint(schema: Any) -> str:
    return hashlib.sha256(canonical_text(schema).encode("utf-8")).hexdigest()
