"""The contract slice: Avro round trips, Confluent framing, and typed errors for bad bytes."""

from __future__ import annotations

import json
import struct
from importlib import resources

import pytest

from schemas.codec import CaseEventCodec
from schemas.errors import ContractViolation, DecodeError, UnknownSchemaError
from schemas.events import PAYLOAD_TYPES, CaseEvent
from tests.factories import opened, penalty


@pytest.fixture(scope="module")
def codec() -> CaseEventCodec:
    return CaseEventCodec()


@pytest.mark.parametrize("event", [opened(), penalty()], ids=["CaseOpened", "PenaltyDecided"])
def test_every_event_type_survives_an_avro_round_trip(codec: CaseEventCodec, event: CaseEvent) -> None:
    assert codec.decode(codec.encode(event)) == event


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


def test_pydantic_models_have_the_fields_of_the_avro_records() -> None:
    text = resources.files("schemas").joinpath("avro/case_event.v1.avsc").read_text(encoding="utf-8")
    envelope = json.loads(text)
    assert [f["name"] for f in envelope["fields"]] == list(CaseEvent.model_fields)
    payloads = next(f["type"] for f in envelope["fields"] if f["name"] == "payload")
    assert {p["name"] for p in payloads} == set(PAYLOAD_TYPES)
    for record in payloads:
        assert [f["name"] for f in record["fields"]] == list(PAYLOAD_TYPES[record["name"]].model_fields)
