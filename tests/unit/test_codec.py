"""The contract slice: Avro round trips, Confluent framing, and typed errors for bad bytes."""

from __future__ import annotations

import io
import json
import struct
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from fastavro import schemaless_writer
from pydantic import BaseModel

from schemas import events
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.errors import ContractViolation, DecodeError, UnknownSchemaError
from schemas.events import (
    PAYLOAD_TYPES,
    SCHEMA_VERSION,
    CaseEvent,
    Distribution,
    DistributionLevel,
    SubjectIdentified,
    UnknownReason,
    UnknownValue,
)
from schemas.wire import frame
from tests.factories import T0, event, full_payloads, opened, penalty


@pytest.fixture(scope="module")
def codec() -> CaseEventCodec:
    return CaseEventCodec()


@pytest.mark.parametrize("event", [opened(), penalty()], ids=["CaseOpened", "PenaltyDecided"])
def test_every_event_type_survives_an_avro_round_trip(codec: CaseEventCodec, event: CaseEvent) -> None:
    assert codec.decode(codec.encode(event)) == event


@pytest.mark.parametrize("event_type", sorted(PAYLOAD_TYPES))
def test_every_payload_with_every_field_filled_survives_an_avro_round_trip(
    codec: CaseEventCodec, event_type: str
) -> None:
    sent = event(full_payloads()[event_type], agency_case_ref="HS-2025/117")
    assert codec.decode(codec.encode(sent)) == sent


def test_envelope_extras_of_v2_survive_a_round_trip(codec: CaseEventCodec) -> None:
    sent = event(
        SubjectIdentified(subject_id="S9", display_name="Shop X"),
        distribution=Distribution(
            level=DistributionLevel.LISTED_AGENCIES, agencies=("qltt", "tax"), handling="NOT_AS_EVIDENCE"
        ),
        embargo_until=T0 + timedelta(days=30),
        unknown=(UnknownValue(path="phone", reason=UnknownReason.WITHHELD, note="police request"),),
    )
    assert codec.decode(codec.encode(sent)) == sent


def test_a_v1_message_decodes_with_the_v2_reader(codec: CaseEventCodec) -> None:
    v1 = codec.catalog.by_id(1)
    sent = penalty(fine=2_500_000)
    datum = {k: v for k, v in to_avro(sent).items() if k not in ("agency_case_ref", "unknown")}
    datum["schema_version"] = 1
    datum["payload"] = ("vn.casehub.PenaltyDecided", dict(sent.payload.model_dump()))
    for added in ("subject_id", "legal_basis", "remedial_measures"):
        datum["payload"][1].pop(added)
    body = io.BytesIO()
    schemaless_writer(body, v1.parsed, datum)

    received = codec.decode(frame(v1.schema_id, body.getvalue()))

    assert received.schema_version == 1
    assert received.payload == sent.payload
    assert (received.unknown, received.agency_case_ref) == ((), None)
    assert received.model_dump(exclude={"schema_version"}) == sent.model_dump(exclude={"schema_version"})


def test_new_events_are_written_with_the_latest_schema(codec: CaseEventCodec) -> None:
    assert codec.catalog.latest().version == SCHEMA_VERSION == 2
    assert penalty().schema_version == SCHEMA_VERSION


def test_messages_use_the_confluent_wire_header(codec: CaseEventCodec) -> None:
    data = codec.encode(opened())
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert (magic, schema_id) == (0, codec.catalog.latest().schema_id)


def test_wrong_magic_byte_is_a_decode_error(codec: CaseEventCodec) -> None:
    data = b"\x01" + codec.encode(opened())[1:]
    with pytest.raises(DecodeError, match="magic byte"):
        codec.decode(data)


def test_unknown_schema_id_is_named(codec: CaseEventCodec) -> None:
    data = b"\x00" + struct.pack(">I", 4242) + codec.encode(opened())[5:]
    with pytest.raises(UnknownSchemaError, match="4242"):
        codec.decode(data)


@pytest.mark.parametrize("cut", [3, 6, 40])
def test_truncated_messages_are_decode_errors(codec: CaseEventCodec, cut: int) -> None:
    with pytest.raises(DecodeError):
        codec.decode(codec.encode(opened())[:cut])


def test_garbage_body_is_a_decode_error(codec: CaseEventCodec) -> None:
    with pytest.raises(DecodeError):
        codec.decode(b"\x00\x00\x00\x00\x01" + bytes(range(255, 0, -1)))


def test_negative_fine_on_the_wire_is_a_contract_violation(codec: CaseEventCodec) -> None:
    good = penalty(fine=1_000_000)
    forged = good.model_construct(
        **{**dict(good), "payload": good.payload.model_construct(**{**dict(good.payload), "fine_vnd": -5})}
    )
    with pytest.raises(ContractViolation, match="fine_vnd"):
        codec.decode(codec.encode(forged))


def _named_types(node: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every record and enum defined anywhere in an Avro schema, by name."""
    if isinstance(node, list):
        for branch in node:
            _named_types(branch, found)
    elif isinstance(node, dict):
        if node["type"] in ("record", "enum"):
            found[node["name"]] = node
        for field in node.get("fields", []):
            _named_types(field["type"], found)
        _named_types(node.get("items"), found)
    return found


def _avro_kind(avro: Any) -> Any:
    """What Python type an Avro type must become in the models (unions without null become sets)."""
    branches = [b for b in avro if b != "null"] if isinstance(avro, list) else [avro]
    if len(branches) > 1:
        return frozenset(_avro_kind(b) for b in branches)
    avro = branches[0]
    logical = {"uuid": uuid.UUID, "timestamp-millis": datetime}
    if isinstance(avro, dict) and avro.get("logicalType") in logical:
        return logical[avro["logicalType"]]
    if isinstance(avro, dict) and avro["type"] == "array":
        return ("array", _avro_kind(avro["items"]))
    name = avro["name"] if isinstance(avro, dict) and "name" in avro else avro
    primitives = {"string": str, "long": int, "int": int, "double": float, "boolean": bool}
    return primitives.get(name) or getattr(events, name)


def _model_kind(annotation: Any) -> Any:
    if get_origin(annotation) is Annotated:
        return _model_kind(get_args(annotation)[0])
    if get_origin(annotation) is tuple:
        return ("array", _model_kind(get_args(annotation)[0]))
    branches = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType):
        return _model_kind(branches[0]) if len(branches) == 1 else frozenset(map(_model_kind, branches))
    return annotation


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, StrEnum) else value


V2 = json.loads(resources.files("schemas").joinpath("avro/case_event.v2.avsc").read_text(encoding="utf-8"))
V2_TYPES = _named_types(V2, {})


def test_the_v2_schema_defines_a_record_for_every_payload_type() -> None:
    payload = next(f["type"] for f in V2["fields"] if f["name"] == "payload")
    assert [p["name"] for p in payload] == list(PAYLOAD_TYPES)


@pytest.mark.parametrize("name", sorted(n for n, t in V2_TYPES.items() if t["type"] == "record"))
def test_each_avro_record_has_a_model_with_the_same_fields_types_and_defaults(name: str) -> None:
    record, model = V2_TYPES[name], getattr(events, name)
    assert [f["name"] for f in record["fields"]] == list(model.model_fields)
    for field in record["fields"]:
        info = model.model_fields[field["name"]]
        where = f"{name}.{field['name']}"
        nullable = isinstance(field["type"], list) and "null" in field["type"]
        assert nullable == (type(None) in get_args(info.annotation)), where
        assert _avro_kind(field["type"]) == _model_kind(info.annotation), where
        assert ("default" in field) == (not info.is_required()), where
        if "default" in field:
            assert field["default"] == _plain(info.get_default(call_default_factory=True)), where


@pytest.mark.parametrize("name", sorted(n for n, t in V2_TYPES.items() if t["type"] == "enum"))
def test_each_avro_enum_has_a_python_enum_with_the_same_symbols_and_default(name: str) -> None:
    enum, python_enum = V2_TYPES[name], getattr(events, name)
    assert enum["symbols"] == [member.value for member in python_enum]
    assert enum["default"] in enum["symbols"]


def test_v2_keeps_every_v1_record_and_field_and_only_appends_enum_symbols() -> None:
    v1 = _named_types(json.loads(bundled_catalog().by_id(1).text), {})
    for name, old in v1.items():
        if old["type"] == "record":
            assert {f["name"] for f in old["fields"]} <= {f["name"] for f in V2_TYPES[name]["fields"]}, name
        else:
            assert V2_TYPES[name]["symbols"][: len(old["symbols"])] == old["symbols"], name
