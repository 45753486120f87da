"""A small world of cases built to exercise every access rule and filter, with principals and a fixed clock.

A  qltt, shared; a police penalty in it is OWNER_ONLY; a tip carries a reporter reference; seller S1.
B  police only (OWNER_ONLY + INVESTIGATION_CONFIDENTIAL); seller S2 — known to no one else; an alias of S1.
C  qltt, shared, with a referral LISTED for police only.
D  customs, ALL_AGENCIES but INVESTIGATION_CONFIDENTIAL, listing tax: customs and tax see it, nobody else.
E  tax, shared, in new Bắc Ninh (24, 2025); its seller S3 is under embargo until after NOW.
F  qltt, 2024, province 24 as written then (old Bắc Giang, now Bắc Ninh); seller S1 again, on Lazada.
G  qltt, 2024, province 77 (Bà Rịa - Vũng Tàu, now Hồ Chí Minh City 79); title with a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consumers.projections import apply_events, stored_event
from schemas.events import (
    CaseEvent,
    CaseOpened,
    CaseReferred,
    Distribution,
    DistributionLevel,
    GoodsHandling,
    GoodsSeized,
    PenaltyDecided,
    ReferralKind,
    SalesChannel,
    SeizedItem,
    SubjectIdentified,
    SubjectKind,
    TipReceived,
)
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.store.engine import make_engine, migrate
from services.store.sql_store import SqlCaseStore
from tests.factories import event

NOW = datetime(2025, 12, 1, tzinfo=UTC)
T0 = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
T2024 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
SHARED = Distribution(level=DistributionLevel.ALL_AGENCIES)
POLICE_ONLY = Distribution(level=DistributionLevel.OWNER_ONLY, handling="INVESTIGATION_CONFIDENTIAL")
EMBARGO_END = datetime(2026, 1, 1, tzinfo=UTC)
REPORTER = "demo1:" + "ab" * 32
S1_PHONE = "0912 345 678"
S2_PHONE = "0987.654.321"
S1_ALIAS = "Mỹ Sẹo Bí Danh"  # recorded for S1 only in the police-only case B

PRINCIPALS = {
    "qltt": Principal("t-qltt", "QLTT analyst", "qltt", Role.ANALYST),
    "police": Principal("t-police", "Police analyst", "police", Role.ANALYST),
    "customs": Principal("t-customs", "Customs analyst", "customs", Role.ANALYST),
    "tax": Principal("t-tax", "Tax analyst", "tax", Role.ANALYST),
    "ipvn": Principal("t-ipvn", "IP office analyst", "ipvn", Role.ANALYST),
    "hanoi": Principal("t-hanoi", "QLTT Hà Nội officer", "qltt", Role.AGENCY_OFFICER, frozenset({"01"})),
    "ops": Principal("t-ops", "Ops", None, Role.OPS),
    "admin": Principal("t-admin", "Admin", "bcd389", Role.ADMIN),
}


def _opened(case_id: str, agency: str, at: datetime, **fields: Any) -> CaseEvent:
    values: dict[str, Any] = {
        "title": "Kinh doanh mỹ phẩm giả mạo nhãn hiệu",
        "goods": "son môi giả",
        "province_code": "01",
        "category": "counterfeit",
        "platform": "shopee",
        "channel": SalesChannel.MARKETPLACE,
    }
    distribution = fields.pop("distribution", SHARED)
    return event(
        CaseOpened(**{**values, **fields}),
        case_id=case_id,
        agency=agency,
        occurred_at=at,
        recorded_at=at,
        distribution=distribution,
    )


def _at(payload: Any, case_id: str, agency: str, at: datetime, **envelope: Any) -> CaseEvent:
    envelope.setdefault("distribution", SHARED)
    return event(payload, case_id=case_id, agency=agency, occurred_at=at, recorded_at=at, **envelope)


def _seller(
    subject_id: str, name: str, phone: str, platform: str = "shopee", **more: Any
) -> SubjectIdentified:
    return SubjectIdentified(
        subject_id=subject_id,
        kind=SubjectKind.PERSON,
        display_name=name,
        platform=platform,
        shop_url=f"https://{platform}.vn/{subject_id.lower()}",
        phone=phone,
        **more,
    )


def world_events() -> list[CaseEvent]:
    a, b, c, d, e, f, g = (
        "VN-2025-QLTT-00001",
        "VN-2025-POLICE-00002",
        "VN-2025-QLTT-00003",
        "VN-2025-CUSTOMS-00004",
        "VN-2025-TAX-00005",
        "VN-2024-QLTT-00006",
        "VN-2024-QLTT-00007",
    )
    hour = timedelta(hours=1)
    return [
        _at(
            TipReceived(summary="Shop bán son giả", reporter_ref=REPORTER, province_code="01"),
            a,
            "qltt",
            T0 - hour,
        ),
        _opened(a, "qltt", T0),
        _at(_seller("S1", "Nguyễn Văn Mỹ", S1_PHONE, tax_code="0101234567"), a, "qltt", T0 + hour),
        _at(PenaltyDecided(decision_number="1/QĐ", fine_vnd=10_000_000), a, "qltt", T0 + 2 * hour),
        _at(
            PenaltyDecided(decision_number="9/QĐ-CA", fine_vnd=30_000_000),
            a,
            "police",
            T0 + 3 * hour,
            distribution=POLICE_ONLY,
        ),
        _opened(
            b,
            "police",
            T0,
            title="Đường dây buôn lậu thuốc lá điện tử",
            goods="thuốc lá điện tử",
            category="smuggled",
            province_code="79",
            platform="facebook",
            channel=SalesChannel.SOCIAL_NETWORK,
            distribution=POLICE_ONLY,
        ),
        _at(
            _seller("S2", "Trần Thị Bí Mật", S2_PHONE, platform="facebook"),
            b,
            "police",
            T0 + hour,
            distribution=POLICE_ONLY,
        ),
        _at(
            SubjectIdentified(subject_id="S1", kind=SubjectKind.PERSON, display_name=S1_ALIAS),
            b,
            "police",
            T0 + hour,
            distribution=POLICE_ONLY,
        ),
        _at(
            PenaltyDecided(decision_number="2/QĐ-CA", fine_vnd=50_000_000),
            b,
            "police",
            T0 + 2 * hour,
            distribution=POLICE_ONLY,
        ),
        _opened(
            c,
            "qltt",
            T0 + 24 * hour,
            title="Bán đồng hồ nhập lậu qua livestream",
            goods="đồng hồ",
            category="smuggled",
            province_code="79",
            platform="tiktok",
            channel=SalesChannel.LIVESTREAM,
        ),
        _at(
            CaseReferred(
                to_agency="police", kind=ReferralKind.CRIMINAL_INVESTIGATION, reason="dấu hiệu tội phạm"
            ),
            c,
            "qltt",
            T0 + 48 * hour,
            distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=("police",)),
        ),
        _opened(
            d,
            "customs",
            T0 + 2 * hour,
            title="Nhập lậu linh kiện điện tử",
            goods="linh kiện",
            category="smuggled",
            distribution=Distribution(
                level=DistributionLevel.ALL_AGENCIES, agencies=("tax",), handling="INVESTIGATION_CONFIDENTIAL"
            ),
        ),
        _opened(
            e,
            "tax",
            T0 + 3 * hour,
            title="Không kê khai doanh thu bán hàng",
            goods="quần áo",
            category="tax_evasion",
            province_code="24",
            platform="tiktok",
        ),
        _at(
            _seller("S3", "Lê Văn Cấm", "0933 111 222", platform="tiktok"),
            e,
            "tax",
            T0 + 4 * hour,
            embargo_until=EMBARGO_END,
        ),
        _at(PenaltyDecided(decision_number="3/QĐ-T", fine_vnd=20_000_000), e, "tax", T0 + 5 * hour),
        _opened(f, "qltt", T2024, province_code="24", platform="lazada", goods="kem dưỡng da"),
        _at(_seller("S1", "Nguyễn Văn Mỹ", "+84 912 345 678", platform="lazada"), f, "qltt", T2024 + hour),
        _at(PenaltyDecided(decision_number="4/QĐ", fine_vnd=5_000_000), f, "qltt", T2024 + 2 * hour),
        _opened(
            g,
            "qltt",
            T2024 + 24 * hour,
            province_code="77",
            title='=HYPERLINK("http://x") bán hàng giả',
            goods="@túi xách",
            category="counterfeit",
        ),
        _at(
            GoodsSeized(
                items=(SeizedItem(description="túi xách", quantity=10, unit="chiếc", value_vnd=7_000_000),),
                handling=GoodsHandling.SEIZED,
            ),
            g,
            "qltt",
            T2024 + 25 * hour,
        ),
    ]


@dataclass
class World:
    engine: Engine
    tokens: dict[str, str]
    clock: list[datetime]

    def client(self) -> TestClient:
        return TestClient(create_app(self.engine, clock=lambda: self.clock[0]))

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(database_url: str) -> Iterator[World]:
    engine = make_engine(database_url)
    migrate(engine)
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, [stored_event(e, "t", 0, i) for i, e in enumerate(world_events())])
    tokens = {}
    for key, principal in PRINCIPALS.items():
        save_principal(engine, principal)
        tokens[key] = issue_token(engine, principal.principal_id)
    try:
        yield World(engine, tokens, [NOW])
    finally:
        engine.dispose()
