"""The fused read-and-check against the two paths it stands in front of: the compiled reader + model check,
and fastavro + pydantic. On valid events of every type and on events mutated field by field with edge
values, or byte by byte, the fused decode accepts exactly what the reader + check accept, and then builds
the very same models (values, types, fields-sets) and JSON as both; what it does not accept it hands on,
counted, and the verdict stays pydantic's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.avro_compiled_reader import compile_reader
from schemas.avro_fast_path import UnsupportedSchema
from schemas.avro_fused_decode import compile_fused
from schemas.avro_read_fast_path import (
    CompiledReadPath,
    FastDecoded,
    compile_event_check,
    compile_fused_event_read,
)
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.errors import CasehubError
from schemas.events import PAYLOAD_TYPES, CaseEvent
from schemas.model_fast_check import ModelChecks
from schemas.wire import HEADER_SIZE
from tests.unit.test_avro_read_fast_path import SEEDS, assert_same_judgement, encoded, mutated_messages
from tests.unit.test_model_building import models_in, pydantic_state

CODEC = CaseEventCodec()
LATEST = bundled_catalog().latest()
FUSED = compile_fused_event_read(LATEST)
READ = compile_reader(LATEST.parsed)
CHECK = compile_event_check()
HEADER = CODEC.encode(SEEDS[0])[:HEADER_SIZE]
"""The latest schema's frame header: both fast paths read only messages that start with it."""


def fused(data: bytes) -> tuple[Any, Any, Any, str] | None:
    """The fused decode's (event, distribution JSON, payload JSON, event id), or None where not sure."""
    if not data.startswith(HEADER):
        return None
    try:
        event, distribution, payload, event_id, end = FUSED(data, HEADER_SIZE)
    except Exception:
        return None
    return (event, distribution, payload, event_id) if end == len(data) else None


def read_and_checked(data: bytes) -> tuple[Any, Any, Any] | None:
    """The reader + check path's (event, distribution JSON, payload JSON), or None."""
    if not data.startswith(HEADER):
        return None
    try:
        event, dumped = CHECK(READ(data, HEADER_SIZE))
    except Exception:
        return None
    return event, dumped["distribution"], dumped["payload"]


def typed(value: Any) -> Any:
    """JSON with each leaf's type beside it, so 1 == 1.0 or True == 1 cannot pass."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return type(value).__name__, value


def assert_same_as_both_paths(data: bytes) -> bool:
    """Fused accepts iff reader + check accept; then both give the same models and JSON as pydantic."""
    mine, theirs = fused(data), read_and_checked(data)
    assert (mine is None) == (theirs is None)
    if mine is None or theirs is None:
        return False
    plain = CODEC.decode(data)  # accepted by the fast paths: pydantic accepts it too
    for built, other, validated in zip(
        models_in(mine[0]), models_in(theirs[0]), models_in(plain), strict=True
    ):
        assert pydantic_state(built) == pydantic_state(other) == pydantic_state(validated)
    assert list(vars(mine[0])) == list(vars(plain))  # fields in the model's order, as pydantic keeps them
    assert typed(mine[1]) == typed(theirs[1]) == typed(plain.distribution.model_dump(mode="json"))
    assert typed(mine[2]) == typed(theirs[2]) == typed(plain.payload.model_dump(mode="json"))
    assert list(mine[2]) == list(plain.payload.model_dump(mode="json"))  # the log row's key order
    assert typed(mine[3]) == typed(str(plain.event_id))
    return True


def test_valid_events_of_every_type_are_read_and_built_as_both_other_paths_do() -> None:
    assert {e.event_type for e in SEEDS} == set(PAYLOAD_TYPES)
    for sent in SEEDS:
        data = CODEC.encode(sent)
        assert assert_same_as_both_paths(data), sent.event_type
        assert fused(data)[0] == sent  # type: ignore[index]


def test_the_codec_takes_valid_events_from_the_fused_path_without_a_decline() -> None:
    path = CompiledReadPath(LATEST)
    for sent in SEEDS:
        data = CODEC.encode(sent)
        accepted = path.decode(data)
        assert accepted is not None and accepted.event == sent
        assert type(accepted) is FastDecoded and tuple(accepted) == fused(data)
        assert accepted.event_id == str(sent.event_id) and accepted.payload == fused(data)[2]  # type: ignore[index]
    assert path.fused_declines.total == 0 and path.declines.total == 0


@given(mutated_messages())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_events_are_accepted_and_built_alike_or_handed_on(message: tuple[CaseEvent, bytes]) -> None:
    sent, data = message
    assert_same_as_both_paths(data)
    assert_same_judgement(sent, data)  # and the decoder's verdict (fused first) is the plain path's


@pytest.mark.slow
@given(mutated_messages())
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_many_mutated_events_are_accepted_and_built_alike_or_handed_on(
    message: tuple[CaseEvent, bytes],
) -> None:
    sent, data = message
    assert_same_as_both_paths(data)
    assert_same_judgement(sent, data)


def test_a_refused_event_is_handed_on_counted_on_both_fast_paths_and_judged_by_pydantic() -> None:
    sent = SEEDS[0]
    path = CompiledReadPath(LATEST)
    data = CODEC.encode(sent.model_copy(update={"agency": "QLTT"}))  # breaks the agency pattern
    assert path.decode(data) is None
    assert path.fused_declines.total == 1 and path.declines.total == 1
    with pytest.raises(CasehubError, match="agency"):
        CODEC.decode(data)


def test_bytes_left_after_the_event_are_handed_on_and_counted() -> None:
    path = CompiledReadPath(LATEST)
    assert path.decode(CODEC.encode(SEEDS[0]) + b"\x00") is None
    assert path.fused_declines.counts["bytes_left"] == 1


def test_a_schema_and_model_that_do_not_line_up_are_not_fused() -> None:
    envelope = dict(LATEST.parsed)
    envelope["fields"] = [f for f in envelope["fields"] if f["name"] != "producer"]
    union = {f"vn.casehub.{name}": cls for name, cls in PAYLOAD_TYPES.items()}
    with pytest.raises(UnsupportedSchema, match="different fields"):
        compile_fused(envelope, CaseEvent, ModelChecks(), "payload", union, ("distribution", "payload"))


@given(
    st.uuids() | st.uuids(allow_nil=True),
    st.sampled_from(["str", "upper", "hex", "braces", "urn", "upper-urn"]),
)
@settings(max_examples=200, deadline=None)
def test_an_event_id_in_any_form_uuid_reads_gives_str_of_the_uuid(value: uuid.UUID, form: str) -> None:
    written = {
        "str": str(value),
        "upper": str(value).upper(),
        "hex": value.hex,
        "braces": "{" + str(value) + "}",
        "urn": value.urn,
        "upper-urn": value.urn.upper().replace("URN:UUID:", "urn:uuid:"),
    }[form]
    datum = to_avro(SEEDS[0])
    data = encoded({**datum, "event_id": written})
    found = fused(data)
    assert found is not None and found[3] == str(value) == str(found[0].event_id)
    read, parsed = found[0].event_id, uuid.UUID(written)  # built from the canonical form's hex digits
    assert type(read) is uuid.UUID and read == parsed and hash(read) == hash(parsed)
    slots = [name for name in uuid.UUID.__slots__ if name != "__weakref__"]
    assert [getattr(read, name) for name in slots] == [getattr(parsed, name) for name in slots]
    assert_same_as_both_paths(data)


def _remembered_bytes(path: CompiledReadPath) -> set[bytes]:
    """Every string the path's fused decode remembers by its bytes (its `bmemo` tables)."""
    tables = [value for name, value in vars(path)["_fused"].__globals__.items() if "bmemo" in name]
    assert tables  # the fused decode of the latest schema remembers its rule-checked strings
    return {raw for table in tables for raw in table}


def test_a_string_is_remembered_by_its_bytes_only_once_it_passed_its_rules() -> None:
    path = CompiledReadPath(LATEST)
    bad = CODEC.encode(SEEDS[0].model_copy(update={"agency": "QLTT"}))  # breaks the agency pattern
    for _ in range(3):  # refused each time: a failing value is never remembered
        assert path.decode(bad) is None
    assert path.fused_declines.total == 3
    assert b"QLTT" not in _remembered_bytes(path)
    good = CODEC.encode(SEEDS[0])
    first, second = path.decode(good), path.decode(good)  # the second from the remembered bytes
    assert first is not None and second is not None
    assert SEEDS[0].agency.encode() in _remembered_bytes(path)
    assert first.event == second.event == SEEDS[0] and first.distribution == second.distribution
    for built, validated in zip(models_in(second.event), models_in(CODEC.decode(good)), strict=True):
        assert pydantic_state(built) == pydantic_state(validated)


@given(
    st.sampled_from(["agency", "reporting_unit", "producer", "case_id", "agency_case_ref"]),
    st.text(max_size=140) | st.sampled_from(["qltt", "QLTT", " qltt", "Chi cục QLTT", "x" * 129, "ư" * 129]),
)
@settings(max_examples=300, deadline=None)
def test_any_string_read_twice_is_judged_alike_both_times(field: str, value: str) -> None:
    """A remembered field given any text, twice in a row (the second time after the first may have
    remembered it): both times as the reader + check and pydantic judge it."""
    datum = {**to_avro(SEEDS[0]), field: value}
    try:
        data = encoded(datum)
    except Exception:  # not writable in this field (None in a required one): nothing to read
        return
    assert assert_same_as_both_paths(data) == assert_same_as_both_paths(data)
