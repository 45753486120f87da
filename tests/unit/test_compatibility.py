"""Avro resolution rules of the compatibility checker, each rule from both sides."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from schemas.catalog import bundled_catalog
from schemas.compatibility import CompatibilityLevel, can_read, check_compatibility


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def messages(reader: Any, writer: Any) -> list[str]:
    return [str(issue) for issue in can_read(reader, writer)]


# --- records: fields matched by name -------------------------------------------------------------


def test_identical_records_are_compatible() -> None:
    schema = record("Case", field("id", "string"), field("fine", "long"))
    assert messages(schema, schema) == []


def test_a_writer_field_the_reader_lacks_is_ignored() -> None:
    writer = record("Case", field("id", "string"), field("note", "string"))
    assert messages(record("Case", field("id", "string")), writer) == []


def test_a_reader_field_with_a_default_fills_what_the_writer_lacks() -> None:
    reader = record("Case", field("id", "string"), field("note", ["null", "string"], default=None))
    assert messages(reader, record("Case", field("id", "string"))) == []


def test_a_reader_field_without_default_missing_in_the_writer_is_named() -> None:
    reader = record("Case", field("id", "string"), field("note", "string"))
    assert messages(reader, record("Case", field("id", "string"))) == [
        "note: reader field has no default and writer lacks it"
    ]


def test_a_reader_field_alias_matches_the_writer_field_name() -> None:
    reader = record("Case", field("fine_vnd", "long", aliases=["fine"]))
    assert messages(reader, record("Case", field("fine", "long"))) == []


def test_a_renamed_field_without_alias_is_a_missing_field() -> None:
    reader = record("Case", field("fine_vnd", "long"))
    assert messages(reader, record("Case", field("fine", "long"))) == [
        "fine_vnd: reader field has no default and writer lacks it"
    ]


def test_field_order_does_not_matter() -> None:
    a = record("Case", field("x", "int"), field("y", "string"))
    b = record("Case", field("y", "string"), field("x", "int"))
    assert messages(a, b) == [] and messages(b, a) == []


def test_a_nested_incompatible_field_is_named_by_its_full_path() -> None:
    inner_writer = record("Distribution", field("level", "string"))
    inner_reader = record("Distribution", field("level", "int"))
    reader = record("Case", field("distribution", inner_reader))
    writer = record("Case", field("distribution", inner_writer))
    assert messages(reader, writer) == ["distribution.level: reader int cannot read writer string"]


# --- primitives and promotions -------------------------------------------------------------------

PROMOTABLE = [
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
]


@pytest.mark.parametrize(("writer", "reader"), PROMOTABLE)
def test_a_writer_type_promotes_to_a_wider_reader_type(writer: str, reader: str) -> None:
    assert messages(record("R", field("v", reader)), record("R", field("v", writer))) == []


@pytest.mark.parametrize(
    ("writer", "reader"),
    [("long", "int"), ("float", "int"), ("double", "float"), ("double", "long"), ("float", "long")],
)
def test_a_narrowing_is_not_a_promotion(writer: str, reader: str) -> None:
    assert messages(record("R", field("v", reader)), record("R", field("v", writer))) == [
        f"v: reader {reader} cannot read writer {writer}"
    ]


@pytest.mark.parametrize(("writer", "reader"), [("string", "int"), ("boolean", "int"), ("null", "string")])
def test_unrelated_primitives_do_not_resolve(writer: str, reader: str) -> None:
    assert messages(reader, writer) == [f"<root>: reader {reader} cannot read writer {writer}"]


@pytest.mark.parametrize(
    "primitive", ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
)
def test_every_primitive_reads_itself(primitive: str) -> None:
    assert messages(primitive, {"type": primitive}) == []


# --- logical types follow their underlying type --------------------------------------------------


def test_a_logical_type_reads_its_underlying_type_and_back() -> None:
    millis = {"type": "long", "logicalType": "timestamp-millis"}
    assert messages(millis, "long") == [] and messages("long", millis) == []


def test_a_logical_type_promotes_like_its_underlying_type() -> None:
    date = {"type": "int", "logicalType": "date"}
    millis = {"type": "long", "logicalType": "timestamp-millis"}
    assert messages(millis, date) == []
    assert messages(date, millis) == ["<root>: reader int cannot read writer long"]


def test_a_uuid_string_reads_a_plain_string() -> None:
    assert messages({"type": "string", "logicalType": "uuid"}, "string") == []


# --- enums ---------------------------------------------------------------------------------------


def enum(symbols: list[str], name: str = "Source", **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": symbols, **extra}


def test_an_enum_reads_a_writer_with_fewer_symbols() -> None:
    assert messages(enum(["A", "B", "C"]), enum(["A", "B"])) == []


def test_a_writer_symbol_unknown_to_a_reader_without_default_is_incompatible() -> None:
    assert messages(enum(["A", "B"]), enum(["A", "B", "C"])) == [
        "<root>: writer symbols ['C'] unknown to reader enum Source (no default)"
    ]


def test_a_writer_symbol_unknown_to_the_reader_falls_back_to_the_reader_default() -> None:
    assert messages(enum(["A", "UNKNOWN"], default="UNKNOWN"), enum(["A", "B"])) == []


def test_enums_with_different_names_do_not_resolve() -> None:
    assert messages(enum(["A"], name="Channel"), enum(["A"], name="Source")) == [
        "<root>: reader enum Channel cannot read writer enum Source: names differ"
    ]


# --- fixed ---------------------------------------------------------------------------------------


def fixed(size: int, name: str = "Hash", **extra: Any) -> dict[str, Any]:
    return {"type": "fixed", "name": name, "size": size, **extra}


def test_a_fixed_reads_a_fixed_of_the_same_name_and_size() -> None:
    assert messages(fixed(32), fixed(32)) == []


def test_fixed_sizes_must_agree() -> None:
    assert messages(fixed(32), fixed(16)) == [
        "<root>: reader fixed Hash cannot read writer fixed Hash: fixed size 32 in reader, 16 in writer"
    ]


def test_fixed_names_must_agree() -> None:
    assert messages(fixed(16, name="Md5"), fixed(16)) == [
        "<root>: reader fixed Md5 cannot read writer fixed Hash: names differ"
    ]


# --- named types: names, namespaces, aliases -----------------------------------------------------


def test_records_with_different_names_do_not_resolve() -> None:
    assert messages(record("Penalty", field("x", "int")), record("Fine", field("x", "int"))) == [
        "<root>: reader record Penalty cannot read writer record Fine: names differ"
    ]


def test_a_reader_alias_accepts_the_writer_full_name() -> None:
    reader = record("Penalty", field("x", "int"), namespace="vn.casehub", aliases=["Fine"])
    writer = record("Fine", field("x", "int"), namespace="vn.casehub")
    assert messages(reader, writer) == []


def test_records_match_by_unqualified_name_across_namespaces() -> None:
    reader = record("Case", field("x", "int"), namespace="vn.casehub.v2")
    writer = record("Case", field("x", "int"), namespace="vn.casehub")
    assert messages(reader, writer) == []


def test_a_named_type_referenced_by_name_is_followed() -> None:
    reader = record("Case", field("a", enum(["A"])), field("b", "Source"))
    writer = record("Case", field("a", enum(["A", "B"])), field("b", "Source"))
    assert messages(writer, reader) == []
    assert messages(reader, writer) == [
        "a: writer symbols ['B'] unknown to reader enum Source (no default)",
        "b: writer symbols ['B'] unknown to reader enum Source (no default)",
    ]


def test_a_recursive_record_is_checked_without_looping() -> None:
    node = record("Node", field("value", "int"), field("next", ["null", "Node"], default=None))
    wider = record("Node", field("value", "long"), field("next", ["null", "Node"], default=None))
    assert messages(wider, node) == []
    assert messages(node, wider) == ["value: reader int cannot read writer long"]


# --- arrays and maps recurse ---------------------------------------------------------------------


def test_array_items_resolve_with_promotion() -> None:
    assert messages({"type": "array", "items": "long"}, {"type": "array", "items": "int"}) == []


def test_incompatible_array_items_are_named_in_the_path() -> None:
    reader = record(
        "Seizure", field("items", {"type": "array", "items": record("Item", field("qty", "int"))})
    )
    writer = record(
        "Seizure", field("items", {"type": "array", "items": record("Item", field("qty", "long"))})
    )
    assert messages(reader, writer) == ["items[].qty: reader int cannot read writer long"]


def test_map_values_resolve_and_mismatches_are_named() -> None:
    assert messages({"type": "map", "values": "double"}, {"type": "map", "values": "float"}) == []
    reader = record("R", field("totals", {"type": "map", "values": "int"}))
    writer = record("R", field("totals", {"type": "map", "values": "string"}))
    assert messages(reader, writer) == ["totals{}: reader int cannot read writer string"]


def test_an_array_does_not_read_a_map() -> None:
    assert messages({"type": "array", "items": "int"}, {"type": "map", "values": "int"}) == [
        "<root>: reader array<int> cannot read writer map<int>"
    ]


# --- unions --------------------------------------------------------------------------------------


def test_a_reader_union_reads_a_non_union_writer_through_a_matching_branch() -> None:
    assert messages(["null", "string"], "string") == []


def test_a_reader_union_matches_a_writer_through_promotion() -> None:
    assert messages(["null", "long"], "int") == []


def test_a_reader_union_without_a_branch_for_the_writer_is_incompatible() -> None:
    assert messages(["null", "string"], "int") == [
        "<root>: reader union [null, string] has no branch for writer int"
    ]


def test_a_reader_union_must_accept_every_writer_branch() -> None:
    assert messages(["null", "string", "long"], ["null", "int"]) == []
    assert messages(["null", "string"], ["null", "string", "long"]) == [
        "<root>: reader union [null, string] has no branch for writer long"
    ]


def test_a_non_union_reader_reads_a_writer_union_whose_branches_it_all_reads() -> None:
    assert messages("long", ["int", "long"]) == []


def test_a_non_union_reader_fails_on_a_writer_branch_it_cannot_read() -> None:
    assert messages("string", ["null", "string"]) == ["<root>: reader string cannot read writer null"]


def test_an_incompatible_field_inside_a_union_branch_is_named_by_branch() -> None:
    writer = record(
        "Case",
        field("payload", [record("Opened", field("t", "string")), record("Fined", field("f", "long"))]),
    )
    reader = record(
        "Case", field("payload", [record("Opened", field("t", "string")), record("Fined", field("f", "int"))])
    )
    assert messages(reader, writer) == ["payload.Fined.f: reader int cannot read writer long"]


def test_a_new_reader_union_branch_is_compatible_but_an_old_reader_cannot_read_it() -> None:
    old = record("Case", field("payload", [record("Opened", field("t", "string"))]))
    new = record(
        "Case",
        field("payload", [record("Opened", field("t", "string")), record("Closed", field("o", "string"))]),
    )
    assert messages(new, old) == []
    assert messages(old, new) == [
        "payload.Closed: reader union [record Opened] has no branch for writer record Closed"
    ]


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
