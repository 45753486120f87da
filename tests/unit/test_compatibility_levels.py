"""Compatibility levels over a subject's history, the bundled envelope's versions, and the checker's
verdict against what fastavro (our decoder) does with real data."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from schemas.catalog import bundled_catalog
from schemas.compatibility import CompatibilityLevel, can_read, check_compatibility
from tests.avro_schema_shapes import enum, field, fixed, messages, record

# --- the bundled envelope ------------------------------------------------------------------------


def bundled_first_version() -> dict[str, Any]:
    return json.loads(bundled_catalog().versions()[0].text)


def penalty_record(schema: dict[str, Any]) -> dict[str, Any]:
    payload = next(f for f in schema["fields"] if f["name"] == "payload")
    return next(branch for branch in payload["type"] if branch["name"] == "PenaltyDecided")


def test_the_envelope_names_a_penalty_field_the_old_writer_lacks() -> None:
    old = bundled_first_version()
    new = copy.deepcopy(old)
    old_penalty = penalty_record(old)
    old_penalty["fields"] = [f for f in old_penalty["fields"] if f["name"] != "fine_vnd"]
    assert messages(new, old) == [
        "payload.PenaltyDecided.fine_vnd: reader field has no default and writer lacks it"
    ]


def test_every_bundled_version_is_fully_compatible_with_itself() -> None:
    for version in bundled_catalog().versions():
        schema = json.loads(version.text)
        assert check_compatibility(CompatibilityLevel.FULL, schema, [(version.version, schema)]).is_compatible


# --- compatibility levels ------------------------------------------------------------------------

V1 = record("Case", field("id", "string"), field("legacy", "string"))
V2 = record(
    "Case", field("id", "string"), field("legacy", "string", default=""), field("note", "string", default="")
)
V3 = record("Case", field("id", "string"), field("note", "string", default=""), field("fine", "long"))
HISTORY = [(1, V1), (2, V2)]


def test_backward_checks_that_the_new_schema_reads_the_latest_version() -> None:
    candidate = record("Case", field("id", "string"), field("note", "string", default=""))
    assert check_compatibility(CompatibilityLevel.BACKWARD, candidate, HISTORY).is_compatible
    result = check_compatibility(CompatibilityLevel.BACKWARD, V3, HISTORY)
    assert result.messages == (
        "fine: reader field has no default and writer lacks it (new schema reading version 2)",
    )


def test_backward_transitive_checks_every_earlier_version() -> None:
    candidate = record("Case", field("id", "string"), field("note", "string"))
    assert check_compatibility(CompatibilityLevel.BACKWARD, candidate, HISTORY).is_compatible
    result = check_compatibility(CompatibilityLevel.BACKWARD_TRANSITIVE, candidate, HISTORY)
    assert result.messages == (
        "note: reader field has no default and writer lacks it (new schema reading version 1)",
    )


def test_forward_checks_that_the_latest_version_reads_the_new_schema() -> None:
    dropped_legacy = record("Case", field("id", "string"), field("note", "string"))
    assert check_compatibility(CompatibilityLevel.FORWARD, dropped_legacy, HISTORY).is_compatible
    no_id = record("Case", field("note", "string"))
    result = check_compatibility(CompatibilityLevel.FORWARD, no_id, HISTORY)
    assert result.messages == (
        "id: reader field has no default and writer lacks it (version 2 reading the new schema)",
    )


def test_forward_transitive_checks_that_every_earlier_version_reads_the_new_schema() -> None:
    dropped_legacy = record("Case", field("id", "string"), field("note", "string"))
    result = check_compatibility(CompatibilityLevel.FORWARD_TRANSITIVE, dropped_legacy, HISTORY)
    assert result.messages == (
        "legacy: reader field has no default and writer lacks it (version 1 reading the new schema)",
    )


def test_full_checks_both_directions_against_the_latest_version() -> None:
    with_optional = record("Case", field("id", "string"), field("legacy", "string", default=""))
    assert check_compatibility(CompatibilityLevel.FULL, with_optional, HISTORY).is_compatible
    assert check_compatibility(CompatibilityLevel.FULL, V3, HISTORY).messages == (
        "fine: reader field has no default and writer lacks it (new schema reading version 2)",
    )


def test_full_transitive_checks_both_directions_against_every_version() -> None:
    with_optional = record("Case", field("id", "string"), field("legacy", "string", default=""))
    assert check_compatibility(CompatibilityLevel.FULL, with_optional, HISTORY).is_compatible
    assert not check_compatibility(
        CompatibilityLevel.FULL_TRANSITIVE, V2, [(1, V1), (2, with_optional)]
    ).messages
    dropped = record("Case", field("id", "string"), field("note", "string", default=""))
    result = check_compatibility(CompatibilityLevel.FULL_TRANSITIVE, dropped, HISTORY)
    assert result.messages == (
        "legacy: reader field has no default and writer lacks it (version 1 reading the new schema)",
    )


def test_none_accepts_anything() -> None:
    assert check_compatibility(CompatibilityLevel.NONE, "string", [(1, V1)]).is_compatible


def test_the_first_version_of_a_subject_is_always_compatible() -> None:
    assert check_compatibility(CompatibilityLevel.FULL_TRANSITIVE, V3, []).is_compatible


@pytest.mark.parametrize(
    ("level", "backward", "forward", "transitive"),
    [
        ("BACKWARD", True, False, False),
        ("BACKWARD_TRANSITIVE", True, False, True),
        ("FORWARD", False, True, False),
        ("FORWARD_TRANSITIVE", False, True, True),
        ("FULL", True, True, False),
        ("FULL_TRANSITIVE", True, True, True),
        ("NONE", False, False, False),
    ],
)
def test_each_level_says_its_direction_and_reach(
    level: str, backward: bool, forward: bool, transitive: bool
) -> None:
    parsed = CompatibilityLevel(level)
    assert (parsed.backward, parsed.forward, parsed.transitive) == (backward, forward, transitive)


# --- the checker's verdict matches what fastavro, our decoder, does with real data ------------------

AGREEMENT = [
    (
        record("R", field("a", "int"), field("b", "string", default="x")),
        record("R", field("a", "int")),
        {"a": 1},
    ),
    (record("R", field("a", "int"), field("b", "string")), record("R", field("a", "int")), {"a": 1}),
    (record("R", field("a", "long")), record("R", field("a", "int")), {"a": 7}),
    (record("R", field("a", "int")), record("R", field("a", "long")), {"a": 7}),
    (enum(["A"], default="A"), enum(["A", "B"]), "B"),
    (enum(["A"]), enum(["A", "B"]), "B"),
    (["null", "string"], ["null", "string", "long"], 5),
    (fixed(4), fixed(8), b"12345678"),
    (record("Other", field("a", "int")), record("R", field("a", "int")), {"a": 1}),
]


@pytest.mark.parametrize(("reader", "writer", "datum"), AGREEMENT)
def test_the_checker_agrees_with_fastavro_resolution(reader: Any, writer: Any, datum: Any) -> None:
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(copy.deepcopy(writer)), datum)
    compatible = not can_read(reader, writer)
    try:
        schemaless_reader(
            io.BytesIO(buffer.getvalue()),
            parse_schema(copy.deepcopy(writer)),
            parse_schema(copy.deepcopy(reader)),
        )
        decoded = True
    except Exception:
        decoded = False
    assert compatible == decoded
