"""check_event: every code on an event must exist on the event's local date, each rule from both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consumers.decoding import RecordDecoder
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from schemas.errors import ContractViolation
from schemas.events import (
    AnyPayload,
    CaseEvent,
    CaseOpened,
    CaseReferred,
    Distribution,
    DistributionLevel,
    InspectionConducted,
    ReactionRecorded,
    SalesChannel,
    SubjectIdentified,
    TakedownCompleted,
    TakedownRequested,
    TipReceived,
    ViolationConfirmed,
)
from schemas.payloads import LegalBasis
from schemas.validation import check_event
from tests.factories import event, full_payloads

JUNE_30 = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
JULY_1 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
BASIS = LegalBasis(instrument="98/2020/NĐ-CP", article="9")


def opened_case(on: datetime = JULY_1, **changes: Any) -> CaseEvent:
    payload = CaseOpened(
        title="Bán son giả trên Shopee",
        goods="son môi",
        province_code="24",
        category="counterfeit",
        channel=SalesChannel.MARKETPLACE,
        platform="shopee",
    ).model_copy(update=changes)
    return event(payload, occurred_at=on, recorded_at=on)


def refused(built: CaseEvent, reason: str) -> None:
    with pytest.raises(ContractViolation, match=reason):
        check_event(built)


@pytest.mark.parametrize("event_type", sorted(full_payloads()))
def test_every_event_type_with_valid_codes_passes(event_type: str) -> None:
    check_event(event(full_payloads()[event_type]))


def test_an_unknown_publishing_agency_is_refused() -> None:
    refused(event(full_payloads()["CaseClosed"], agency="xyz"), "unknown agency 'xyz'")


def test_an_agency_without_a_topic_may_not_publish_but_may_be_referred_to() -> None:
    refused(event(full_payloads()["CaseClosed"], agency="ecom"), "'ecom' does not publish")
    check_event(event(CaseReferred(to_agency="bcd389", reason="báo cáo BCĐ 389")))


def test_listed_agencies_and_handling_code_must_be_known() -> None:
    listed = Distribution(
        level=DistributionLevel.LISTED_AGENCIES, agencies=("tax",), handling="NO_ONWARD_SHARING"
    )
    check_event(event(full_payloads()["CaseClosed"], distribution=listed))
    refused(
        event(full_payloads()["CaseClosed"], distribution=listed.model_copy(update={"agencies": ("nsa",)})),
        "distribution.agencies: unknown agency 'nsa'",
    )
    refused(
        event(
            full_payloads()["CaseClosed"], distribution=listed.model_copy(update={"handling": "TOP_SECRET"})
        ),
        "unknown handling code 'TOP_SECRET'",
    )


def test_code_24_is_bac_giang_before_the_merger_and_bac_ninh_after_both_valid() -> None:
    check_event(opened_case(JUNE_30, province_code="24"))
    check_event(opened_case(JULY_1, province_code="24"))


def test_the_old_bac_ninh_code_27_is_valid_until_the_merger_and_refused_after() -> None:
    check_event(opened_case(JUNE_30, province_code="27"))
    refused(opened_case(JULY_1, province_code="27"), "province code '27' is not in force on 2025-07-01")


def test_the_merger_day_starts_at_midnight_in_hanoi_not_in_utc() -> None:
    midnight_in_hanoi = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    check_event(opened_case(midnight_in_hanoi - timedelta(minutes=1), province_code="27"))
    refused(opened_case(midnight_in_hanoi, province_code="27"), "not in force on 2025-07-01")


def test_an_unknown_province_is_refused() -> None:
    refused(opened_case(province_code="99"), "unknown province code '99'")


def test_the_category_must_be_in_force_on_the_event_date() -> None:
    last_day = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
    check_event(opened_case(last_day, category="ecommerce_not_notified"))
    refused(
        opened_case(last_day + timedelta(days=1), category="ecommerce_not_notified"), "expired on 2026-06-30"
    )
    refused(opened_case(category="made_up"), "unknown violation category 'made_up'")


def test_the_platform_must_be_known_and_offer_the_stated_channel() -> None:
    check_event(opened_case(platform="tiktok", channel=SalesChannel.LIVESTREAM))
    check_event(opened_case(platform="tiki", channel=SalesChannel.UNKNOWN))
    check_event(opened_case(platform=None, channel=SalesChannel.WEBSITE))
    refused(
        opened_case(platform="tiki", channel=SalesChannel.LIVESTREAM),
        "LIVESTREAM is not offered by platform 'tiki'",
    )
    refused(opened_case(platform="myspace"), "unknown platform 'myspace'")


@pytest.mark.parametrize(
    "payload, reason",
    [
        (TipReceived(summary="tin báo", suspected_category="gossip"), "unknown violation category 'gossip'"),
        (TipReceived(summary="tin báo", province_code="10"), "province code '10' is not in force"),
        (TipReceived(summary="tin báo", platform="myspace"), "unknown platform"),
        (SubjectIdentified(subject_id="S1", phone="0912345678", province_code="27"), "province code '27'"),
        (SubjectIdentified(subject_id="S1", shop_id="9", platform="myspace"), "unknown platform"),
        (InspectionConducted(joint_agencies=("army",)), "joint_agencies: unknown agency 'army'"),
        (InspectionConducted(province_code="45"), "province code '45'"),
        (ViolationConfirmed(category="ecommerce_not_notified", legal_basis=BASIS), "expired on 2026-06-30"),
        (CaseReferred(to_agency="court", reason="khởi tố"), "to_agency: unknown agency 'court'"),
        (CaseReferred(to_agency="qltt", reason="chuyển"), "cannot refer a case to itself"),
        (ReactionRecorded(reacting_agency="army"), "reacting_agency: unknown agency 'army'"),
        (
            TakedownRequested(platform="myspace", listing_urls=("https://x.vn/1",), request_reference="1"),
            "myspace",
        ),
        (
            TakedownCompleted(platform="myspace", listing_urls=("https://x.vn/1",), request_reference="1"),
            "myspace",
        ),
    ],
    ids=lambda value: value.event_type if hasattr(value, "event_type") else "",
)
def test_each_coded_field_of_each_payload_is_checked(payload: AnyPayload, reason: str) -> None:
    refused(event(payload, occurred_at=datetime(2026, 8, 1, tzinfo=UTC)), reason)


def test_the_same_fields_pass_with_codes_valid_for_the_date() -> None:
    on = {"occurred_at": datetime(2026, 8, 1, tzinfo=UTC)}
    for payload in (
        TipReceived(
            summary="tin báo", suspected_category="ecommerce_violation", province_code="15", platform="zalo"
        ),
        SubjectIdentified(
            subject_id="S1", phone="0912345678", province_code="24", shop_id="9", platform="lazada"
        ),
        InspectionConducted(joint_agencies=("police", "bcd389"), province_code="44"),
        ViolationConfirmed(category="ecommerce_violation", legal_basis=BASIS),
        CaseReferred(to_agency="police", reason="khởi tố"),
        ReactionRecorded(reacting_agency="customs"),
        TakedownRequested(platform="facebook", listing_urls=("https://fb.com/1",), request_reference="1"),
    ):
        check_event(event(payload, **on))


def test_the_materializer_dead_letters_an_event_with_a_province_unknown_for_its_date() -> None:
    codec = CaseEventCodec()
    good, bad = opened_case(JUNE_30, province_code="27"), opened_case(JULY_1, province_code="27")
    records = [
        InboundRecord("casehub.cases.qltt", 0, n, e.case_id.encode(), codec.encode(e))
        for n, e in enumerate([good, bad])
    ]
    batch = RecordDecoder(codec=codec, group="g").decode(records)
    assert [e.event_id for e in batch.events] == [str(good.event_id)]
    assert [(d.offset, d.error_class) for d in batch.dead_letters] == [(1, "ContractViolation")]
    assert "province code '27' is not in force on 2025-07-01" in batch.dead_letters[0].error_message


def test_each_payload_is_checked_by_the_implementation_singledispatch_picks_for_it() -> None:
    """check_event keeps check_payload's implementations by class; what it keeps is dispatch's choice."""
    from schemas.validation import _CHECK_BY_CLASS, check_payload

    for payload in full_payloads().values():
        check_event(event(payload))
    assert set(_CHECK_BY_CLASS) == {type(p) for p in full_payloads().values()}
    for payload_class, implementation in _CHECK_BY_CLASS.items():
        assert implementation is check_payload.dispatch(payload_class)
