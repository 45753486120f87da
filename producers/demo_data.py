"""A small, realistic demo data set: cases from all five agencies, some shared across agencies.

Deterministic for a seed. The traffic simulator (its own issue) grows from this.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schemas.events import (
    CaseEvent,
    CaseOpened,
    CaseSource,
    Distribution,
    DistributionLevel,
    PenaltyDecided,
    SalesChannel,
    new_event,
)

PRODUCER = "casehub-demo"


@dataclass(frozen=True)
class Scenario:
    agency: str
    unit: str
    title: str
    goods: str
    category: str
    channel: SalesChannel
    platform: str | None
    province_code: str
    source: CaseSource
    fine_range: tuple[int, int]


SCENARIOS = [
    Scenario(
        "qltt",
        "Đội QLTT số 1 - Chi cục QLTT Hà Nội",
        "Kinh doanh mỹ phẩm giả mạo nhãn hiệu trên sàn TMĐT",
        "son môi, kem dưỡng da nhãn hiệu giả",
        "counterfeit",
        SalesChannel.MARKETPLACE,
        "shopee",
        "01",
        CaseSource.PLATFORM_REPORT,
        (10_000_000, 60_000_000),
    ),
    Scenario(
        "qltt",
        "Đội QLTT số 4 - Chi cục QLTT TP. Hồ Chí Minh",
        "Bán hàng nhập lậu không rõ nguồn gốc qua livestream",
        "đồng hồ, túi xách không hóa đơn chứng từ",
        "smuggled",
        SalesChannel.LIVESTREAM,
        "tiktok",
        "79",
        CaseSource.PATROL,
        (5_000_000, 40_000_000),
    ),
    Scenario(
        "qltt",
        "Đội QLTT số 2 - Chi cục QLTT Đà Nẵng",
        "Kinh doanh thực phẩm chức năng không rõ nguồn gốc",
        "thực phẩm bảo vệ sức khỏe",
        "unknown_origin",
        SalesChannel.SOCIAL_NETWORK,
        "facebook",
        "48",
        CaseSource.HOTLINE_TIP,
        (3_000_000, 25_000_000),
    ),
    Scenario(
        "customs",
        "Chi cục Hải quan khu vực II",
        "Hàng điện tử nhập lậu bán qua website",
        "điện thoại di động, tai nghe không khai báo hải quan",
        "smuggled",
        SalesChannel.WEBSITE,
        None,
        "79",
        CaseSource.CONTROL_PLAN,
        (20_000_000, 150_000_000),
    ),
    Scenario(
        "customs",
        "Chi cục Hải quan khu vực VIII",
        "Vận chuyển hàng giả qua đường bưu chính quốc tế",
        "giày thể thao giả nhãn hiệu",
        "counterfeit",
        SalesChannel.MARKETPLACE,
        "lazada",
        "31",
        CaseSource.CONTROL_PLAN,
        (15_000_000, 90_000_000),
    ),
    Scenario(
        "tax",
        "Thuế TP. Hồ Chí Minh",
        "Không kê khai doanh thu bán hàng trên TikTok Shop",
        "quần áo thời trang",
        "tax_evasion",
        SalesChannel.MARKETPLACE,
        "tiktok",
        "79",
        CaseSource.CONTROL_PLAN,
        (30_000_000, 300_000_000),
    ),
    Scenario(
        "tax",
        "Thuế tỉnh Thái Nguyên",
        "Kinh doanh trên mạng xã hội không đăng ký thuế",
        "đồ gia dụng",
        "tax_evasion",
        SalesChannel.SOCIAL_NETWORK,
        "zalo",
        "19",
        CaseSource.REFERRAL,
        (5_000_000, 50_000_000),
    ),
    Scenario(
        "police",
        "Phòng An ninh mạng và PCTP sử dụng CNC - Công an TP. Hà Nội",
        "Đường dây buôn bán thuốc lá điện tử qua mạng xã hội",
        "thuốc lá điện tử, tinh dầu",
        "banned",
        SalesChannel.SOCIAL_NETWORK,
        "facebook",
        "01",
        CaseSource.REFERRAL,
        (40_000_000, 200_000_000),
    ),
    Scenario(
        "police",
        "Cục A05 - Bộ Công an",
        "Website giả mạo bán thuốc chữa bệnh",
        "thuốc tân dược không rõ nguồn gốc",
        "banned",
        SalesChannel.WEBSITE,
        None,
        "01",
        CaseSource.PLATFORM_REPORT,
        (50_000_000, 200_000_000),
    ),
    Scenario(
        "ipvn",
        "Cục Sở hữu trí tuệ - Phòng Thực thi",
        "Xâm phạm quyền sở hữu công nghiệp đối với nhãn hiệu thời trang",
        "quần áo mang nhãn hiệu bảo hộ",
        "ip_infringement",
        SalesChannel.MARKETPLACE,
        "shopee",
        "01",
        CaseSource.PLATFORM_REPORT,
        (10_000_000, 100_000_000),
    ),
]


def demo_events(cases: int = 40, seed: int = 389, start: datetime | None = None) -> list[CaseEvent]:
    """Case openings and penalties for `cases` cases; every fourth case is joined by a second agency."""
    rng = random.Random(seed)
    start = start or datetime(2025, 9, 1, tzinfo=UTC)
    events: list[CaseEvent] = []
    for number in range(1, cases + 1):
        scenario = SCENARIOS[(number - 1) % len(SCENARIOS)]
        opened_at = start + timedelta(days=rng.randint(0, 365), hours=rng.randint(7, 18))
        case_id = f"VN-{opened_at:%Y}-{scenario.agency.upper()}-{number:05d}"
        events.append(_opened(rng, case_id, scenario, opened_at))
        if rng.random() < 0.75:
            events.append(_penalty(rng, case_id, scenario, opened_at + timedelta(days=rng.randint(3, 40))))
        if number % 4 == 0:
            partner = SCENARIOS[(number + 2) % len(SCENARIOS)]
            if partner.agency != scenario.agency:
                events.append(
                    _penalty(rng, case_id, partner, opened_at + timedelta(days=rng.randint(41, 90)))
                )
    return events


def _event_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _opened(rng: random.Random, case_id: str, s: Scenario, at: datetime) -> CaseEvent:
    payload = CaseOpened(
        title=s.title,
        source=s.source,
        channel=s.channel,
        platform=s.platform,
        goods=s.goods,
        province_code=s.province_code,
        category=s.category,
    )
    return _event(rng, case_id, s, payload, at)


def _penalty(rng: random.Random, case_id: str, s: Scenario, at: datetime) -> CaseEvent:
    low, high = s.fine_range
    payload = PenaltyDecided(
        decision_number=f"{rng.randint(1, 999)}/QĐ-XPVPHC",
        fine_vnd=rng.randrange(low, high, 500_000),
        additional_measures=("tịch thu tang vật",) if rng.random() < 0.6 else (),
    )
    return _event(rng, case_id, s, payload, at)


def _event(
    rng: random.Random, case_id: str, s: Scenario, payload: CaseOpened | PenaltyDecided, at: datetime
) -> CaseEvent:
    level = DistributionLevel.OWNER_ONLY if s.agency == "police" else DistributionLevel.ALL_AGENCIES
    return new_event(
        case_id=case_id,
        agency=s.agency,
        reporting_unit=s.unit,
        payload=payload,
        occurred_at=at,
        recorded_at=at + timedelta(hours=rng.randint(1, 48)),
        producer=PRODUCER,
        distribution=Distribution(level=level),
        event_id=_event_id(rng),
    )
