"""Test-local schema evolutions of the bundled envelope: a newer writer with one optional field."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from fastavro import parse_schema, schemaless_writer

from schemas.catalog import bundled_catalog
from schemas.codec import to_avro
from schemas.events import CaseEvent

NOTE_FIELD = "interop_note"


def bundled_latest_schema() -> dict[str, Any]:
    return dict(json.loads(bundled_catalog().latest().text))


def with_optional_note(schema: dict[str, Any]) -> dict[str, Any]:
    """The envelope plus an optional field with a default: BACKWARD compatible with every bundled version."""
    evolved = copy.deepcopy(schema)
    evolved["fields"].append({"name": NOTE_FIELD, "type": ["null", "string"], "default": None})
    return evolved


def avro_body(schema: dict[str, Any], datum: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(copy.deepcopy(schema)), datum)
    return buffer.getvalue()


def noted_datum(event: CaseEvent, note: str) -> dict[str, Any]:
    """The Avro datum of an event as a producer on the evolved schema would write it."""
    return {**to_avro(event), NOTE_FIELD: note}
