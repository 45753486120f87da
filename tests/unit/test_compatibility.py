"""Avro resolution rules of the compatibility checker, each rule from both sides."""

from __future__ import annotations

import pytest

from tests.avro_schema_shapes import enum, field, fixed, messages, record

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
