"""Vietnamese names, shop names and goods by category: the words the simulated cases are written in."""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = {
    "Nguyễn": 38.4,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.1,
    "Hoàng": 5.1,
    "Huỳnh": 2.0,
    "Phan": 4.5,
    "Vũ": 3.9,
    "Võ": 1.5,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
}
"""Surname shares (%) commonly cited from Vietnamese population studies; the rest is spread over these."""
MALE_MIDDLE = ("Văn", "Minh", "Đức", "Quốc", "Hữu", "Thành", "Công", "Hoàng")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Kim", "Hồng")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Tuấn",
    "Việt",
)
FEMALE_GIVEN = (
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hằng",
    "Hoa",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Thảo",
    "Trang",
    "Vy",
)
SHOP_PATTERNS = (
    "Shop {given}",
    "{given} Store",
    "Tiệm {goods} {given}",
    "Kho Sỉ {goods} {given}",
    "{given} Authentic",
    "Hàng Xách Tay {given}",
    "{goods} {given} Official",
)
ORGANISATION_PATTERNS = (
    "Công ty TNHH Thương mại {a} {b}",
    "Công ty Cổ phần Xuất nhập khẩu {a}",
    "Công ty TNHH {a} {b} Việt Nam",
    "Hộ kinh doanh {person}",
)
FIRM_WORDS = (
    "Minh Phát",
    "Thành Đạt",
    "Hưng Thịnh",
    "An Khang",
    "Phú Quý",
    "Đại Việt",
    "Sao Mai",
    "Hoàng Gia",
)


@dataclass(frozen=True)
class GoodsLine:
    """A kind of goods as seizure records count it: description, unit, unit price range, brands faked."""

    description: str
    unit: str
    price_vnd: tuple[int, int]
    brands: tuple[str, ...] = ()


_COSMETICS = GoodsLine("mỹ phẩm (son môi, kem dưỡng)", "hộp", (60_000, 450_000), ("3CE", "Innisfree", "Ohui"))
_PERFUME = GoodsLine("nước hoa", "chai", (150_000, 1_500_000), ("Chanel", "Dior", "Versace"))
_SHOES = GoodsLine("giày thể thao", "đôi", (180_000, 900_000), ("Nike", "Adidas", "Converse"))
_BAGS = GoodsLine("túi xách", "chiếc", (150_000, 2_500_000), ("Louis Vuitton", "Gucci", "Charles & Keith"))
_WATCHES = GoodsLine("đồng hồ đeo tay", "chiếc", (300_000, 5_000_000), ("Rolex", "Casio", "Omega"))
_CLOTHES = GoodsLine("quần áo thời trang", "chiếc", (50_000, 400_000), ("Adidas", "Uniqlo", "Zara"))
_PHONES = GoodsLine("điện thoại di động", "chiếc", (2_000_000, 20_000_000), ("Apple", "Samsung"))
_VAPES = GoodsLine("thuốc lá điện tử", "chiếc", (150_000, 600_000))
_LIQUIDS = GoodsLine("tinh dầu thuốc lá điện tử", "lọ", (80_000, 250_000))
_MEDICINE = GoodsLine("thuốc tân dược", "hộp", (50_000, 400_000))
_SUPPLEMENTS = GoodsLine("thực phẩm bảo vệ sức khỏe", "hộp", (120_000, 900_000))
_MILK = GoodsLine("sữa bột nhập khẩu", "hộp", (250_000, 900_000), ("Meiji", "Similac"))
_FIREWORKS = GoodsLine("pháo nổ", "kg", (300_000, 900_000))
_SNACKS = GoodsLine("bánh kẹo, đồ ăn vặt", "gói", (10_000, 80_000))
_CHARGERS = GoodsLine(
    "sạc, tai nghe, phụ kiện điện thoại", "chiếc", (40_000, 600_000), ("Apple", "Samsung", "Anker")
)
_HOUSEWARE = GoodsLine("đồ gia dụng", "chiếc", (60_000, 1_200_000))
_LABELS = GoodsLine("tem, nhãn, bao bì in sẵn", "chiếc", (500, 5_000), ("Dior", "Nike", "Abbott"))

GOODS = {
    "counterfeit": (_COSMETICS, _PERFUME, _SHOES, _BAGS, _WATCHES, _CLOTHES, _CHARGERS),
    "counterfeit_labels": (_LABELS,),
    "ip_infringement": (_CLOTHES, _SHOES, _BAGS, _CHARGERS, _COSMETICS),
    "banned": (_VAPES, _LIQUIDS, _MEDICINE, _FIREWORKS),
    "smuggled": (_PHONES, _WATCHES, _COSMETICS, _MILK, _CHARGERS, _SUPPLEMENTS),
    "customs_smuggling": (_PHONES, _MILK, _WATCHES, _VAPES),
    "unknown_origin": (_SUPPLEMENTS, _COSMETICS, _SNACKS, _HOUSEWARE, _CHARGERS, _CLOTHES),
    "expired_goods": (_SNACKS, _MILK, _SUPPLEMENTS),
    "food_safety": (_SNACKS, _SUPPLEMENTS, _MILK),
    "price": (_HOUSEWARE, _MILK, _CHARGERS),
    "business_conditions": (_SUPPLEMENTS, _MEDICINE, _COSMETICS),
    "ecommerce_not_notified": (_CLOTHES, _COSMETICS, _HOUSEWARE),
    "ecommerce_not_registered": (_HOUSEWARE, _CLOTHES),
    "ecommerce_violation": (_CLOTHES, _COSMETICS, _HOUSEWARE),
    "tax_evasion": (_CLOTHES, _COSMETICS, _HOUSEWARE, _SNACKS),
    "tax_misdeclaration": (_CLOTHES, _HOUSEWARE),
}
