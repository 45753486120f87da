"""Small builders of valid events for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from schemas.events import CaseEvent, CaseOpened, PenaltyDecided, SalesChannel, new_event

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
