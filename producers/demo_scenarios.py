"""The ten kinds of case the demo tells, one or two per agency, with codes valid in the reference data."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import CaseSource, SalesChannel


@dataclass(frozen=True)
class Goods:
    """A line of goods as a seizure record counts it, with a typical unit price."""

    description: str
    unit: str
    unit_price_vnd: int
    brand: str | None = None


@dataclass(frozen=True)
class Scenario:
    agency: str
    unit: str
    title: str
    goods: str
    category: str
    channel: SalesChannel
    platform: str
    province_code: str
    source: CaseSource
    fine_range: tuple[int, int]
    seized: tuple[Goods, ...]


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
        (Goods("son môi", "thỏi", 85_000, "3CE"), Goods("kem dưỡng da", "hộp", 150_000, "Innisfree")),
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
        (Goods("đồng hồ đeo tay", "chiếc", 1_200_000), Goods("túi xách", "chiếc", 650_000)),
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
        (Goods("thực phẩm bảo vệ sức khỏe", "hộp", 320_000),),
    ),
    Scenario(
        "customs",
        "Chi cục Hải quan khu vực II",
        "Hàng điện tử nhập lậu bán qua website",
        "điện thoại di động, tai nghe không khai báo hải quan",
        "smuggled",
        SalesChannel.WEBSITE,
        "website",
        "79",
        CaseSource.CONTROL_PLAN,
        (20_000_000, 100_000_000),  # within the 100M maximum for an individual (Decree 98/2020 Art. 4)
        (Goods("điện thoại di động", "chiếc", 6_500_000), Goods("tai nghe không dây", "chiếc", 900_000)),
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
        (Goods("giày thể thao", "đôi", 450_000, "Nike"),),
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
        CaseSource.DATA_ANALYSIS,
        (30_000_000, 300_000_000),
        (),
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
        (),
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
        (Goods("thuốc lá điện tử", "chiếc", 350_000), Goods("tinh dầu", "lít", 2_400_000)),
    ),
    Scenario(
        "police",
        "Cục A05 - Bộ Công an",
        "Website giả mạo bán thuốc chữa bệnh",
        "thuốc tân dược không rõ nguồn gốc",
        "banned",
        SalesChannel.WEBSITE,
        "website",
        "01",
        CaseSource.PLATFORM_REPORT,
        (50_000_000, 200_000_000),
        (Goods("thuốc tân dược", "hộp", 180_000),),
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
        CaseSource.RIGHTS_HOLDER_COMPLAINT,
        (10_000_000, 100_000_000),
        (Goods("áo phông", "chiếc", 120_000, "Adidas"),),
    ),
]
