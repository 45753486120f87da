"""The consumer's fast decode against the plain one (fastavro + pydantic): on valid events and on events
mutated field by field with edge values, or byte by byte, both give the same verdict and reason, and when
the fast path accepts, the very same model, log row and payload JSON. Declines are counted, never silent,
and valid events are not declined at all (the fast path is really in use)."""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastavro import schemaless_writer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.decoding import RecordDecoder
from consumers.event_types.registry import EventRead
from consumers.records import StoredEvent
from consumers.source import InboundRecord
from producers.demo_data import demo_events
from producers.simulator import simulate_events
from schemas.avro_read_fast_path import CompiledReadPath, FastDecoded
from schemas.catalog import bundled_catalog
from schemas.codec import CaseEventCodec, to_avro
from schemas.errors import CasehubError
from schemas.events import PAYLOAD_TYPES, CaseEvent
from schemas.model_fast_check import ModelChecks, UnsupportedModel
from schemas.record import Frozen
from schemas.wire import frame
from tests.factories import event, full_payloads

CODEC = CaseEventCodec()
LATEST = bundled_catalog().latest()
SEEDS: list[CaseEvent] = [
    *simulate_events(400, seed=17),
    *demo_events(cases=4),
    *(event(payload) for payload in full_payloads().values()),
]


class PlainCodec(CaseEventCodec):
    """Today's path alone: the fast path always declines (a subclass of the real codec, not a fake)."""

    def decode_accepted(self, data: bytes) -> FastDecoded | None:
        return None


FAST = RecordDecoder(codec=CODEC, group="g", topic_agency=lambda t: t.rsplit(".", 1)[1])
PLAIN = RecordDecoder(codec=PlainCodec(), group="g", topic_agency=lambda t: t.rsplit(".", 1)[1])


def encoded(datum: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, LATEST.parsed, datum)
    return frame(LATEST.schema_id, buffer.getvalue())


def verdict(decoder: RecordDecoder, record: InboundRecord) -> StoredEvent | tuple[str, str]:
    try:
        return decoder.decode_record(record)
    except CasehubError as exc:
        return type(exc).__name__, str(exc)


def record_of(sent: CaseEvent, value: bytes) -> InboundRecord:
    return InboundRecord(
        f"casehub.cases.{sent.agency}", 0, 7, sent.case_id.encode(), value, 1_900_000_000_000
    )


def assert_same_judgement(sent: CaseEvent, value: bytes) -> None:
    """Same accept/refuse and reason; when the fast path accepts, the plain path's exact results."""
    record = record_of(sent, value)
    fast, plain = verdict(FAST, record), verdict(PLAIN, record)
    assert fast == plain
    accepted = CODEC.decode_accepted(value)
    if accepted is None:
        return
    decoded = CODEC.decode(value)  # the fast path only accepts what the plain one accepts...
    assert accepted.event == decoded  # ...and builds the very same model
    assert accepted.event.model_fields_set == decoded.model_fields_set
    assert accepted.payload == decoded.payload.model_dump(mode="json")
    assert accepted.distribution == decoded.distribution.model_dump(mode="json")
    assert _types(accepted.payload) == _types(decoded.payload.model_dump(mode="json"))
    if isinstance(fast, StoredEvent):  # accepted by the decoder too (its key, agency, time, codes)
        # the payload handed to the fold is the one the log's JSON validates to
        handed = EventRead(fast).payload
        assert handed == decoded.payload == type(decoded.payload).model_validate(fast.payload)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


def test_valid_events_of_every_type_are_accepted_by_the_fast_path_as_the_plain_path_does() -> None:
    assert {e.event_type for e in SEEDS} == set(PAYLOAD_TYPES)
    path = CompiledReadPath(LATEST)
    assert path.active
    for sent in SEEDS:
        value = CODEC.encode(sent)
        assert path.decode(value) is not None, sent.event_type
        assert_same_judgement(sent, value)
    assert path.declines.total == 0


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a datum a value can be replaced (fields, list items, the payload branch)."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif _is_branch(value):  # the payload union: (record name, fields)
        yield from _paths(value[1], (*prefix, 1))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _is_branch(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], dict)
    )


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    if _is_branch(value):
        return (value[0], _replaced(value[1], rest, new))
    copy = list(value)
    copy[head] = _replaced(copy[head], rest, new)
    return copy


MS_2000, MS_2100 = 946_684_800_000, 4_102_444_800_000
MS_0001, MS_9999_END = -62_135_596_800_000, 253_402_300_799_999
"""The first and last millisecond a datetime holds: one before or after them is not a timestamp."""
EDGE_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            " ",
            "\x00",
            "a\x00b",
            "\x1c",
            "\x7f",
            "\x85",
            "\u2028",
            "ab\n",
            "48\n",
            "٤٨",
            "Đ",
            "x" * 33,
            "x" * 65,
            "x" * 129,
            "x" * 501,
            "y" * 10_001,
            "z" * 1_000_000,
            "A" * 2_001,
            "https://a.vn/\x1c",
            "https://ví.dụ/đường",
            "qltt",
            "bcd389",
            "01",
            "99",
            "27",
            "ZZ",
            "unknown_code",
            "telegram",
            "NOPE",
            "MERGED",
            "OWNER_ONLY",
            "LISTED_AGENCIES",
            "ALL_AGENCIES",
            "PENALIZED",
            "98/2020/NĐ-CP",
            "98/2020/NĐ CP",
            "15",
            "2a",
            "đ",
            "+84 912 345 678",
            "a@b.c",
            "a@b",
            "0101234567",
            "0101234567-001",
            "k1:" + "0" * 64,
            "K1:" + "0" * 64,
            str(uuid.UUID(int=5)),
            str(uuid.UUID(int=5)).upper(),
            "not-a-uuid",
            0,
            -1,
            1,
            2,
            3,
            10**15,
            10**15 + 1,
            2**63 - 1,
            -(2**63),
            MS_2000,
            MS_2000 - 1,
            MS_2100,
            MS_2100 - 1,
            MS_0001,
            MS_0001 - 1,
            MS_9999_END,
            MS_9999_END + 1,
            0.0,
            -0.0,
            5e-324,
            1e12,
            1e12 + 1,
            math.inf,
            math.nan,
            [],
            [""],
            ["qltt", "qltt"],
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
)


@st.composite
def mutated_messages(draw: st.DrawFn) -> tuple[CaseEvent, bytes]:
    """A valid event with one value of its datum replaced, or its bytes cut, flipped or extended."""
    sent = draw(st.sampled_from(SEEDS))
    datum = to_avro(sent)
    value = CODEC.encode(sent)
    if draw(st.booleans()):
        path = draw(st.sampled_from(list(_paths(datum))))
        try:
            return sent, encoded(_replaced(datum, path, draw(EDGE_VALUES)))
        except Exception:
            pass
    body = bytearray(value)
    kind = draw(st.sampled_from(["cut", "flip", "extend", "set"]))
    at = draw(st.integers(min_value=0, max_value=len(body) - 1))
    if kind == "cut":
        return sent, bytes(body[:at])
    if kind == "extend":
        return sent, bytes(body) + draw(st.binary(min_size=1, max_size=4))
    body[at] = draw(st.integers(0, 255)) if kind == "set" else body[at] ^ (1 << draw(st.integers(0, 7)))
    return sent, bytes(body)


@given(mutated_messages())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_events_get_the_same_verdict_and_event_from_both_paths(
    message: tuple[CaseEvent, bytes],
) -> None:
    assert_same_judgement(*message)


@pytest.mark.slow
@given(mutated_messages())
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_many_mutated_events_get_the_same_verdict_and_event_from_both_paths(
    message: tuple[CaseEvent, bytes],
) -> None:
    assert_same_judgement(*message)


def test_a_refused_event_is_declined_counted_and_the_plain_path_gives_the_reason() -> None:
    sent = SEEDS[0]
    datum = to_avro(sent)
    path = CompiledReadPath(LATEST)
    bad = encoded({**datum, "agency": "QLTT"})  # breaks the agency pattern
    assert path.decode(bad) is None
    assert path.declines.total == 1
    verdict_of = verdict(FAST, record_of(sent, bad))
    assert verdict_of == verdict(PLAIN, record_of(sent, bad))
    assert verdict_of[0] == "ContractViolation" and "agency" in str(verdict_of[1])


def test_an_older_writer_schema_is_left_to_the_plain_path() -> None:
    path = CompiledReadPath(LATEST)
    value = CODEC.encode(SEEDS[0])
    older = frame(LATEST.schema_id - 1, value[5:])
    assert path.decode(older) is None
    assert path.declines.counts["other_schema_or_header"] == 1


def test_a_model_feature_the_compiler_does_not_know_stops_compiling_instead_of_guessing() -> None:
    from pydantic import field_validator

    class WithFieldValidator(Frozen):
        name: str

        @field_validator("name")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    with pytest.raises(UnsupportedModel):
        ModelChecks().model(WithFieldValidator)


def test_the_fold_reads_the_decoded_payload_instead_of_validating_it_again() -> None:
    from consumers.event_types import registry

    sent = SEEDS[0]
    stored = FAST.decode_record(record_of(sent, CODEC.encode(sent)))
    assert isinstance(stored, StoredEvent)
    handed = EventRead(stored).payload
    assert EventRead(stored).payload is handed  # the decoder's model, not a new validation
    assert handed == sent.payload
    copy = StoredEvent(**vars(stored))  # same content, another object (as read back from the log)
    assert EventRead(copy).payload is not handed and EventRead(copy).payload == handed
    many = [StoredEvent(**vars(stored)) for _ in range(registry._DECODED_LIMIT + 1)]
    for other in many:  # the table is bounded: a full one starts afresh
        registry.remember_payload(other, handed)
    assert 0 < len(registry._DECODED) <= registry._DECODED_LIMIT
    assert EventRead(many[-1]).payload is handed


def _opened_datum() -> tuple[CaseEvent, dict[str, Any]]:
    sent = next(e for e in SEEDS if e.event_type == "CaseOpened" and e.payload.summary is None)  # type: ignore[union-attr]
    return sent, to_avro(sent)


JAN_2000 = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("occurred_at", JAN_2000, True),
        ("occurred_at", JAN_2000 - timedelta(milliseconds=1), False),
        ("embargo_until", datetime(2099, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC), True),
        ("embargo_until", datetime(2100, 1, 1, tzinfo=UTC), False),
        ("reporting_unit", "x" * 500, True),
        ("reporting_unit", "x" * 501, False),
        ("reporting_unit", "a\x00b", False),
        ("reporting_unit", "", False),
        ("agency_case_ref", "x" * 64, True),
        ("agency_case_ref", "x" * 65, False),
        ("schema_version", 1, True),
        ("schema_version", 3, False),
        ("case_id", "VN/2025", False),
        ("event_type", "PenaltyDecided", False),
        ("unknown", [{"path": "summary", "reason": "WITHHELD", "note": None}], True),
        ("unknown", [{"path": "title", "reason": "WITHHELD", "note": None}], False),
        ("unknown", [{"path": "summary", "reason": "PENDING", "note": "x"}] * 2, False),
    ],
)
def test_edge_values_by_hand_are_judged_alike_and_as_the_contract_says(
    field: str, value: Any, accepted: bool
) -> None:
    sent, datum = _opened_datum()
    message = encoded({**datum, field: value})
    assert (CODEC.decode_accepted(message) is not None) is accepted
    assert_same_judgement(sent, message)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("province_code", "٤٨", True),  # Arabic-Indic digits match pydantic-core's \d (the shape);
        # the reference data refuses the code later, in check_event, on both paths alike
        ("province_code", "48\n", False),
        ("goods_value_vnd", 10**15, True),
        ("goods_value_vnd", 10**15 + 1, False),
        ("goods_value_vnd", -1, False),
        ("listing_urls", ["https://ví.dụ/đường"], True),
        ("listing_urls", ["https://a.vn/\x1c"], False),
        ("listing_urls", ["https://a.vn/" + "x" * 2_000], False),
        ("title", "x\u2028y", True),
        ("summary", "line\nline\ttab", True),
        ("summary", "bell\x07", False),
    ],
)
def test_payload_edge_values_by_hand_are_judged_alike(field: str, value: Any, accepted: bool) -> None:
    sent, datum = _opened_datum()
    name, fields = datum["payload"]
    message = encoded({**datum, "payload": (name, {**fields, field: value})})
    assert (CODEC.decode_accepted(message) is not None) is accepted
    assert_same_judgement(sent, message)
