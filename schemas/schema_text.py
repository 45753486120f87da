"""Avro schema texts: validated parsing, and the canonical form deciding whether two texts are one schema."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastavro import parse_schema
from fastavro.schema import SchemaParseException, UnknownType

from schemas.errors import InvalidSchemaError


def parse_schema_text(text: str) -> Any:
    """The JSON form of a schema text, after fastavro has accepted it as valid Avro."""
    try:
        schema = json.loads(text)
    except ValueError as exc:
        raise InvalidSchemaError(f"schema is not JSON: {exc}") from exc
    try:
        parse_schema(schema)
    except (SchemaParseException, UnknownType, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidSchemaError(f"not a valid Avro schema: {type(exc).__name__}: {exc}") from exc
    return schema


def canonical_text(schema: Any) -> str:
    """JSON with sorted keys and no spacing: whitespace and key order never make a new schema id.

    Unlike Avro's parsing canonical form it keeps defaults, aliases and docs, which change resolution.
    """
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def schema_fingerprint(schema: Any) -> str:
    return hashlib.sha256(canonical_text(schema).encode("utf-8")).hexdigest()
