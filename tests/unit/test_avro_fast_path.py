"""Contract of the Avro fast path with the installed fastavro: the compiled writer writes fastavro's
bytes for every event type, compiles fastavro's parsed schema, and hands what it does not expect to
fastavro, counted and logged (never silently)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum

import fastavro
import pytest
import structlog.testing
from fastavro import schemaless_writer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producers.demo_data import demo_events
from producers.simulator import simulate_events
from schemas.avro_fast_path import CompiledAvroPath, compile_writer
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.errors import SerializationError
from schemas.events import (
    PAYLOAD_TYPES,
    CaseEvent,
    Distribution,
    DistributionLevel,
    UnknownReason,
    UnknownValue,
)
from tests.factories import event, full_payloads, opened


def fastavro_bytes(event: CaseEvent) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, bundled_catalog().latest().parsed, to_avro(event))
    return buffer.getvalue()


def compiled_bytes(event: CaseEvent) -> bytes:
    out = bytearray()
    compile_writer(bundled_catalog().latest().parsed)(out, event)
    return bytes(out)


def test_simulated_and_demo_events_are_written_byte_for_byte_like_fastavro() -> None:
    write = compile_writer(bundled_catalog().latest().parsed)
    events = [*simulate_events(3_000, seed=5), *demo_events(cases=20)]
    assert {e.event_type for e in events} == set(PAYLOAD_TYPES)
    for sent in events:
        out = bytearray()
        write(out, sent)
        assert bytes(out) == fastavro_bytes(sent), sent.event_id


@pytest.mark.parametrize("event_type", sorted(PAYLOAD_TYPES))
def test_every_field_filled_and_envelope_extras_are_written_like_fastavro(event_type: str) -> None:
    sent = event(
        full_payloads()[event_type],
        agency_case_ref="HS-2025/117",
        distribution=Distribution(
            level=DistributionLevel.LISTED_AGENCIES, agencies=("qltt", "tax"), handling="NOT_AS_EVIDENCE"
        ),
    )
    assert compiled_bytes(sent) == fastavro_bytes(sent)


def test_unknown_values_are_written_like_fastavro() -> None:
    base = opened()
    payload = base.payload.model_copy(update={"platform": None})
    sent = base.model_copy(
        update={
            "payload": payload,
            "unknown": (UnknownValue(path="platform", reason=UnknownReason.WITHHELD),),
        }
    )
    assert compiled_bytes(sent) == fastavro_bytes(sent)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_data_the_compiled_writer_does_not_expect_gets_fastavros_answer() -> None:
    codec = CaseEventCodec()
    odd = opened().model_copy(update={"agency_case_ref": 17})  # not a string: the models never make this
    with pytest.raises((TypeError, AttributeError)):
        compiled_bytes(odd)
    with pytest.raises(SerializationError, match=str(odd.event_id)):
        codec.encode(odd)
    assert codec.fast_path.declines.counts == {"AttributeError": 1}  # counted, not silent
    fine = opened()
    assert codec.decode(codec.encode(fine)) == fine
    assert codec.fast_path.declines.total == 1  # the plain event took the fast path


def test_the_installed_fastavros_parsed_schema_is_compiled_so_the_fast_path_is_on() -> None:
    """A fastavro whose `parse_schema` output changed shape fails here, naming the version."""
    codec = CaseEventCodec()
    assert codec.fast_path.active, f"fastavro {fastavro.__version__}: {dict(codec.fast_path.declines.counts)}"
    assert codec.fast_path.declines.total == 0


def test_a_schema_the_writer_cannot_compile_is_announced_and_every_datum_goes_to_fastavro() -> None:
    schema = fastavro.parse_schema(
        {
            "type": "record",
            "name": "Odd",
            "fields": [{"name": "when", "type": {"type": "int", "logicalType": "date"}}],
        }
    )
    with structlog.testing.capture_logs() as logs:
        path = CompiledAvroPath(schema)
        out = bytearray(b"head")
        assert not path.active
        assert path.write(out, object()) is False and out == b"head"
    assert path.declines.counts == {"schema_not_compiled": 2}
    assert [(log["event"], log["path"], log["reason"]) for log in logs] == [
        ("fast_path_declined", "avro_compiled_writer", "schema_not_compiled")
    ]
    assert "logical type date" in logs[0]["error"]


def test_a_declined_datum_leaves_nothing_half_written_and_logs_each_reason_once() -> None:
    path = CompiledAvroPath(bundled_catalog().latest().parsed)
    odd = opened().model_copy(update={"agency_case_ref": 17})
    out = bytearray(b"head")
    with structlog.testing.capture_logs() as logs:
        assert path.write(out, odd) is False
        assert path.write(out, odd) is False
    assert out == b"head"
    assert path.declines.counts == {"AttributeError": 2}
    assert len(logs) == 1 and logs[0]["event"] == "fast_path_declined"


def test_timestamps_before_1970_and_below_the_millisecond_are_written_like_fastavro() -> None:
    for moment in (
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1901, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2025, 6, 30, 17, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=7))),
    ):
        sent = opened().model_copy(update={"recorded_at": moment, "embargo_until": moment})
        assert compiled_bytes(sent) == fastavro_bytes(sent), moment


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event_type=st.sampled_from(sorted(PAYLOAD_TYPES)),
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=120),
    number=st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers()),
)
def test_any_text_and_any_integer_get_fastavros_bytes_or_fastavros_error(
    event_type: str, text: str, number: int
) -> None:
    """NUL and control characters, astral code points, integers past an Avro long: the fast path writes
    fastavro's bytes, or declines and the event gets fastavro's error."""
    base = event(full_payloads()[event_type])
    payload = base.payload
    update: dict[str, object] = {}
    for name in type(payload).model_fields:
        value = getattr(payload, name)
        if isinstance(value, str) and not isinstance(value, Enum):
            update[name] = text
        elif isinstance(value, int) and not isinstance(value, (bool, Enum)):
            update[name] = number
    sent = base.model_copy(update={"payload": payload.model_copy(update=update), "agency_case_ref": text})
    path = CompiledAvroPath(bundled_catalog().latest().parsed)
    out = bytearray()
    try:
        expected = fastavro_bytes(sent)
    except (ValueError, TypeError, OverflowError):
        assert path.write(out, sent) is False and out == bytearray()
        with pytest.raises(SerializationError):
            CaseEventCodec().encode(sent)
        return
    assert path.write(out, sent) is True
    assert bytes(out) == expected
