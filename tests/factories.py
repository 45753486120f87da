"""Small builders of valid events for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.events import (
    AnyPayload,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CaseOutcome,
    CaseReferred,
    CaseSource,
    GoodsHandling,
    GoodsSeized,
    InspectionConducted,
    InspectionKind,
    InspectionResult,
    LegalBasis,
    PenaltyDecided,
    ReactionKind,
    ReactionRecorded,
    ReferralKind,
    SalesChannel,
    SeizedItem,
    SubjectIdentified,
    SubjectKind,
    SubjectRole,
    TakedownCompleted,
    TakedownOutcome,
    TakedownRequested,
    TipChannel,
    TipReceived,
    ViolationConfirmed,
    new_event,
)

T0 = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def opened(
    case_id: str = "VN-2025-QLTT-00001", agency: str = "qltt", minutes: int = 0, **changes: object
) -> CaseEvent:
    payload = CaseOpened(
        title="Kinh doanh mỹ phẩm giả trên sàn TMĐT",
        goods="son môi giả nhãn hiệu",
        province_code="01",
        category="counterfeit",
        channel=SalesChannel.MARKETPLACE,
        platform="shopee",
    ).model_copy(update=changes)
    return _event(case_id, agency, payload, minutes)


def penalty(
    case_id: str = "VN-2025-QLTT-00001", agency: str = "qltt", fine: int = 15_000_000, minutes: int = 60
) -> CaseEvent:
    payload = PenaltyDecided(decision_number=f"{fine // 1000}/QĐ-XPVPHC", fine_vnd=fine)
    return _event(case_id, agency, payload, minutes)


def _event(case_id: str, agency: str, payload: CaseOpened | PenaltyDecided, minutes: int) -> CaseEvent:
    return new_event(
        case_id=case_id,
        agency=agency,
        reporting_unit=f"unit of {agency}",
        payload=payload,
        occurred_at=T0 + timedelta(minutes=minutes),
        recorded_at=T0 + timedelta(minutes=minutes + 5),
        producer="tests",
        event_id=uuid.uuid4(),
    )


def event(
    payload: AnyPayload, case_id: str = "VN-2025-QLTT-00001", agency: str = "qltt", **envelope: Any
) -> CaseEvent:
    """Any payload in a valid envelope; envelope fields (occurred_at, distribution, ...) can be overridden."""
    fields: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "event_type": payload.event_type,
        "case_id": case_id,
        "agency": agency,
        "reporting_unit": f"unit of {agency}",
        "occurred_at": T0,
        "recorded_at": T0 + timedelta(minutes=5),
        "producer": "tests",
        "payload": payload,
    }
    return CaseEvent.model_validate({**fields, **envelope})


def full_payloads() -> dict[str, AnyPayload]:
    """One payload per event type with every optional field filled, so round trips cover all fields."""
    basis = LegalBasis(instrument="98/2020/NĐ-CP", article="15", clause="3", point="a")
    listing = "https://shopee.vn/son-moi-gia-i.1234.5678"
    payloads: list[AnyPayload] = [
        CaseOpened(
            title="Kinh doanh mỹ phẩm giả trên sàn TMĐT",
            source=CaseSource.RIGHTS_HOLDER_COMPLAINT,
            channel=SalesChannel.LIVESTREAM,
            platform="shopee",
            goods="son môi giả nhãn hiệu",
            province_code="24",
            category="counterfeit",
            listing_urls=(listing,),
            goods_value_vnd=48_000_000,
            summary="Chủ sở hữu nhãn hiệu phản ánh",
        ),
        PenaltyDecided(
            decision_number="125/QĐ-XPVPHC",
            fine_vnd=35_000_000,
            violator_name="Nguyễn Văn A",
            additional_measures=("tịch thu tang vật",),
            subject_id="S1",
            legal_basis=basis,
            remedial_measures=("buộc tiêu hủy hàng hóa",),
        ),
        TipReceived(
            received_via=TipChannel.HOTLINE,
            reporter_ref="k2026:" + "ab" * 32,
            summary="Shop bán son giả, giá rẻ bất thường",
            platform="shopee",
            listing_urls=(listing,),
            province_code="01",
            suspected_category="counterfeit",
        ),
        SubjectIdentified(
            subject_id="S1",
            kind=SubjectKind.PERSON,
            role=SubjectRole.SELLER,
            display_name="Son Xinh Store",
            platform="shopee",
            shop_id="1234",
            shop_url="https://shopee.vn/sonxinhstore",
            phone="0912 345 678",
            email="sonxinh@example.vn",
            tax_code="0101234567",
            national_id_hash="k2026:" + "cd" * 32,
            bank_account_hash="k2026:" + "ef" * 32,
            address="12 Hàng Bông, Hoàn Kiếm",
            province_code="01",
        ),
        InspectionConducted(
            kind=InspectionKind.SURPRISE,
            result=InspectionResult.VIOLATION_FOUND,
            record_number="15/BB-KT",
            place="kho hàng 12 Hàng Bông",
            province_code="01",
            subject_id="S1",
            joint_agencies=("police",),
        ),
        ViolationConfirmed(
            category="counterfeit",
            legal_basis=basis,
            subject_id="S1",
            record_number="16/BB-VPHC",
            description="500 thỏi son giả nhãn hiệu",
            goods_value_vnd=48_000_000,
        ),
        GoodsSeized(
            items=(
                SeizedItem(
                    description="son môi", quantity=500, unit="thỏi", value_vnd=40_000_000, brand="3CE"
                ),
                SeizedItem(description="kem dưỡng", quantity=12.5, unit="kg", value_vnd=8_000_000),
            ),
            handling=GoodsHandling.CONFISCATED,
            record_number="17/BB-TG",
            storage_place="kho Chi cục QLTT Hà Nội",
        ),
        CaseReferred(
            to_agency="police",
            to_unit="Phòng Cảnh sát kinh tế - Công an TP. Hà Nội",
            kind=ReferralKind.CRIMINAL_INVESTIGATION,
            reason="Giá trị hàng giả đủ yếu tố cấu thành tội phạm",
            legal_basis=LegalBasis(instrument="100/2015/QH13", article="192"),
            document_number="88/CV-QLTT",
        ),
        ReactionRecorded(
            reacting_agency="tax",
            kind=ReactionKind.SUBJECT_ALSO_KNOWN,
            note="Cùng mã số thuế với hồ sơ thuế đang kiểm tra",
            refers_to_event_id=uuid.UUID(int=7, version=4),
            own_case_id="VN-2025-TAX-00009",
        ),
        TakedownRequested(
            platform="shopee",
            listing_urls=(listing,),
            request_reference="90/CV-QLTT",
            reason="Hàng giả nhãn hiệu",
            legal_basis=basis,
            due_at=T0 + timedelta(hours=24),
        ),
        TakedownCompleted(
            platform="shopee",
            listing_urls=(listing,),
            request_reference="90/CV-QLTT",
            outcome=TakedownOutcome.REMOVED,
            platform_reference="SHP-TD-5512",
        ),
        CaseClosed(outcome=CaseOutcome.MERGED, note="gộp hồ sơ", merged_into_case_id="VN-2025-QLTT-00002"),
    ]
    return {payload.event_type: payload for payload in payloads}
