"""Value rules of the models: money, quantities, identifier shapes, and 'unknown, with a reason'."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pydantic
import pytest

from schemas.events import (
    CaseClosed,
    CaseOutcome,
    Distribution,
    DistributionLevel,
    GoodsSeized,
    LegalBasis,
    PenaltyDecided,
    SeizedItem,
    SubjectIdentified,
    TipReceived,
    UnknownReason,
    UnknownValue,
)
from tests.factories import T0, event, full_payloads

HASH = "k2026:" + "0f" * 32


def rejected(build: Any, reason: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=reason):
        build()


def test_fines_and_values_are_whole_non_negative_dong() -> None:
    assert PenaltyDecided(decision_number="1/QĐ", fine_vnd=0).fine_vnd == 0
    rejected(lambda: PenaltyDecided(decision_number="1/QĐ", fine_vnd=-1), "greater than or equal to 0")
    rejected(lambda: PenaltyDecided(decision_number="1/QĐ", fine_vnd=1.5), "fractional part")


@pytest.mark.parametrize("quantity", [0, -2, float("nan"), float("inf")])
def test_seized_quantities_must_be_positive_numbers(quantity: float) -> None:
    rejected(lambda: SeizedItem(description="son", quantity=quantity, unit="thỏi"), "quantity")


def test_a_seizure_lists_at_least_one_item_with_a_fractional_quantity_allowed() -> None:
    assert SeizedItem(description="tinh dầu", quantity=2.5, unit="lít").quantity == 2.5
    rejected(lambda: GoodsSeized(items=()), "at least 1 item")


@pytest.mark.parametrize("value", ["0912345678", "0912 345 678", "+84 912-345-678", "(028) 3822 1234"])
def test_phone_numbers_are_accepted_as_people_write_them(value: str) -> None:
    assert SubjectIdentified(subject_id="S", phone=value).phone == value


@pytest.mark.parametrize("value", ["call me", "12345", "0912345678901234567"])
def test_things_that_are_not_phone_numbers_are_refused(value: str) -> None:
    rejected(lambda: SubjectIdentified(subject_id="S", phone=value), "phone number")


@pytest.mark.parametrize("value", ["0101234567", "0101234567-001", "001085012345"])
def test_tax_codes_of_businesses_branches_and_persons_are_accepted(value: str) -> None:
    assert SubjectIdentified(subject_id="S", tax_code=value).tax_code == value


@pytest.mark.parametrize("value", ["010123456", "MST0101234567", "0101234567-1"])
def test_malformed_tax_codes_are_refused(value: str) -> None:
    rejected(lambda: SubjectIdentified(subject_id="S", tax_code=value), "tax_code")


def test_national_ids_and_bank_accounts_travel_only_as_keyed_hashes() -> None:
    subject = SubjectIdentified(subject_id="S", national_id_hash=HASH, bank_account_hash=HASH)
    assert subject.national_id_hash == HASH
    rejected(lambda: SubjectIdentified(subject_id="S", national_id_hash="001085012345"), "national_id_hash")
    rejected(lambda: SubjectIdentified(subject_id="S", bank_account_hash="0f" * 32), "bank_account_hash")
    rejected(lambda: TipReceived(summary="tin", reporter_ref="Nguyễn Văn B, 0912345678"), "reporter_ref")


def test_a_subject_needs_an_identifier_and_a_shop_id_needs_its_platform() -> None:
    rejected(lambda: SubjectIdentified(subject_id="S"), "at least one of")
    rejected(lambda: SubjectIdentified(subject_id="S", shop_id="123"), "platform it belongs to")


def test_legal_basis_is_cited_by_number_not_by_prose() -> None:
    assert LegalBasis(instrument="98/2020/NĐ-CP", article="15", clause="1", point="đ").point == "đ"
    rejected(lambda: LegalBasis(instrument="Nghị định 98", article="15"), "instrument")
    rejected(lambda: LegalBasis(instrument="98/2020/NĐ-CP", article="Điều 15"), "article")


def test_a_merged_closure_names_the_surviving_case_and_only_a_merged_one() -> None:
    assert CaseClosed(outcome=CaseOutcome.MERGED, merged_into_case_id="C2").merged_into_case_id == "C2"
    rejected(lambda: CaseClosed(outcome=CaseOutcome.MERGED), "merged_into_case_id")
    rejected(
        lambda: CaseClosed(outcome=CaseOutcome.PENALIZED, merged_into_case_id="C2"), "merged_into_case_id"
    )


def test_listed_distribution_needs_agencies_and_handling_looks_like_a_code() -> None:
    assert Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("tax",)).agencies == ("tax",)
    rejected(lambda: Distribution(level=DistributionLevel.LISTED_AGENCIES), "at least one agency")
    rejected(lambda: Distribution(handling="do not share"), "handling")


def test_an_embargo_cannot_end_before_the_event_happened() -> None:
    closed = full_payloads()["CaseClosed"]
    assert event(closed, embargo_until=T0 + timedelta(days=1)).embargo_until is not None
    rejected(lambda: event(closed, embargo_until=T0 - timedelta(days=1)), "embargo_until is before")


def test_schema_versions_newer_than_the_code_are_refused() -> None:
    rejected(lambda: event(full_payloads()["CaseClosed"], schema_version=3), "schema_version")


def unknown(path: str, reason: UnknownReason = UnknownReason.NOT_RECORDED) -> tuple[UnknownValue, ...]:
    return (UnknownValue(path=path, reason=reason),)


def test_an_empty_optional_fact_can_be_declared_unknown_with_a_reason() -> None:
    subject = SubjectIdentified(subject_id="S", display_name="Shop X")
    built = event(subject, unknown=unknown("national_id_hash", UnknownReason.WITHHELD))
    assert built.unknown[0].reason == UnknownReason.WITHHELD
    tip = TipReceived(summary="tin")
    assert event(tip, unknown=unknown("listing_urls")).unknown[0].path == "listing_urls"


def test_a_fact_inside_a_list_item_can_be_unknown_pending_valuation() -> None:
    seized = GoodsSeized(items=(SeizedItem(description="son", quantity=5, unit="thỏi"),))
    built = event(seized, unknown=unknown("items[0].value_vnd", UnknownReason.PENDING))
    assert built.unknown[0].path == "items[0].value_vnd"


@pytest.mark.parametrize(
    "path, reason",
    [
        ("display_name", "has a value"),
        ("subject_id", "is required"),
        ("shoe_size", "not a field"),
        ("items[0].value_vnd", "not a field"),
        ("phone.number", "not a field"),
    ],
)
def test_unknown_cannot_contradict_or_miss_the_payload(path: str, reason: str) -> None:
    subject = SubjectIdentified(subject_id="S", display_name="Shop X")
    rejected(lambda: event(subject, unknown=unknown(path)), reason)


def test_unknown_cannot_point_past_the_end_of_a_list_or_name_a_path_twice() -> None:
    seized = GoodsSeized(items=(SeizedItem(description="son", quantity=5, unit="thỏi"),))
    rejected(lambda: event(seized, unknown=unknown("items[3].value_vnd")), "no such item")
    twice = unknown("record_number") + unknown("record_number")
    rejected(lambda: event(seized, unknown=twice), "same path twice")
