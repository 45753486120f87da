"""The contract's bounds: what a store would refuse is refused at the edge, with a reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from pydantic import BaseModel, ValidationError

from schemas import bounds
from schemas.codec import CaseEventCodec
from schemas.errors import ContractViolation
from schemas.events import CaseEvent
from schemas.payloads import PAYLOAD_TYPES, LegalBasis, SeizedItem
from schemas.timeliness import check_event_time
from schemas.unknown import UnknownValue
from tests.contract_bounds import at_the_bounds, longest_value
from tests.factories import T0, event, full_payloads, opened

CODEC = CaseEventCodec()
SAFE_SHAPES = {  # strings whose pattern admits only printable ASCII of a fixed, short shape
    "agency",
    "province_code",
    "category",
    "suspected_category",
    "platform",
    "reporter_ref",
    "national_id_hash",
    "bank_account_hash",
    "tax_code",
    "to_agency",
    "reacting_agency",
    "joint_agencies",
    "article",
    "clause",
    "point",
    "instrument",
    "handling",
    "event_type",
    "path",
    "phone",
    "email",
    "agencies",
}


@pytest.mark.parametrize("event_type", sorted(PAYLOAD_TYPES))
def test_every_event_type_at_its_bounds_is_valid_and_round_trips(event_type: str) -> None:
    payload = at_the_bounds(full_payloads()[event_type])
    built = event(payload)
    assert CODEC.decode(CODEC.encode(built)) == built


def _contract_models() -> list[type[BaseModel]]:
    return [CaseEvent, *PAYLOAD_TYPES.values(), LegalBasis, SeizedItem, UnknownValue]


def _holds_strings(annotation: object) -> bool:
    return annotation is str or any(_holds_strings(arg) for arg in get_args(annotation))


def test_every_free_string_of_the_contract_is_bounded() -> None:
    """A string field without a bound (length, control characters) is how a store-breaking value gets in."""
    unbounded = [
        f"{model.__name__}.{name}"
        for model in _contract_models()
        for name, info in model.model_fields.items()
        if _holds_strings(info.annotation) and name not in SAFE_SHAPES and longest_value(info) is None
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": "Son\x00giả"}, "control character U+0000"),
        ({"title": "Son\ngiả"}, "control character U+000A"),
        ({"title": "x" * (bounds.LINE_MAX + 1)}, "at most 500"),
        ({"goods": "y" * (bounds.PROSE_MAX + 1)}, "at most 10,000"),
        ({"goods": "bad\udc80surrogate"}, "U+DC80"),
        ({"goods_value_vnd": bounds.MAX_VND + 1}, "less than or equal to"),
        ({"listing_urls": ("https://x.vn/\x07",)}, "control character U+0007"),
        ({"listing_urls": ("https://x.vn/" + "é" * 1000,)}, "bytes long"),
    ],
)
def test_a_value_a_store_could_not_hold_is_refused_with_its_reason(changes: dict, reason: str) -> None:
    base = opened().payload
    with pytest.raises(ValidationError, match=re.escape(reason)):
        type(base).model_validate({**base.model_dump(), **changes})


def test_multi_line_prose_keeps_its_line_breaks() -> None:
    base = opened().payload
    payload = type(base).model_validate({**base.model_dump(), "goods": "son\r\nphấn\tmắt"})
    assert payload.goods == "son\r\nphấn\tmắt"  # type: ignore[attr-defined]


@pytest.mark.parametrize("case_id", ["VN/2025/1", "a b", "x?y", "%2F", "-leading", "é"])
def test_a_case_id_that_cannot_be_used_in_a_link_is_refused(case_id: str) -> None:
    with pytest.raises(ValidationError, match="used in a link"):
        opened(case_id)


@pytest.mark.parametrize("when", [datetime(1999, 12, 31, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)])
def test_dates_outside_the_records_window_are_refused(when: datetime) -> None:
    with pytest.raises(ValidationError, match="outside the dates the hub records"):
        event(opened().payload, occurred_at=when, recorded_at=when)


def test_an_event_dated_after_its_receipt_is_refused_beyond_the_clock_skew() -> None:
    built = event(opened().payload, occurred_at=T0, recorded_at=T0)
    check_event_time(built, T0 - bounds.CLOCK_SKEW)
    with pytest.raises(ContractViolation, match=r"occurred_at .* is in the future"):
        check_event_time(built, T0 - bounds.CLOCK_SKEW - timedelta(seconds=1))
