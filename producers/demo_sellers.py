"""Demo sellers: a few people and firms behind many shops, so the same phone or tax code shows up
at several agencies, as "virtual shops with unclear addresses" do in the seed documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.events import SubjectIdentified, SubjectKind, SubjectRole, UnknownReason, UnknownValue
from schemas.identifiers import bank_account_identifier, keyed_hash

DEMO_KEY_ID = "demo1"
DEMO_KEY = b"casehub demo key - never use outside the demo"


@dataclass(frozen=True)
class Seller:
    key: str
    display_name: str
    kind: SubjectKind
    phone: str | None
    tax_code: str | None
    national_id: str | None
    bank: tuple[str, str] | None
    address: str | None
    province_code: str
    shops: dict[str, str] = field(default_factory=dict)
    """platform code → shop id, or the URL for a seller's own website."""

    def on(self, platform: str) -> bool:
        return platform in self.shops

    def identified(
        self, platform: str, *, withhold_address: bool
    ) -> tuple[SubjectIdentified, tuple[UnknownValue, ...]]:
        """The subject as an agency records it on a platform, and the facts it could not record."""
        shop = self.shops[platform]
        own_site = platform == "website"
        subject = SubjectIdentified(
            subject_id=self.key,
            kind=self.kind,
            role=SubjectRole.SELLER,
            display_name=self.display_name,
            platform=platform,
            shop_id=None if own_site else shop,
            shop_url=shop if own_site else _shop_url(platform, shop),
            phone=self.phone,
            tax_code=self.tax_code,
            national_id_hash=_hashed(self.national_id),
            bank_account_hash=_hashed(bank_account_identifier(*self.bank) if self.bank else None),
            address=None if withhold_address else self.address,
            province_code=self.province_code,
        )
        return subject, self._unknowns(withhold_address)

    def listing_url(self, platform: str, item: int) -> str | None:
        """A listing of the seller's shop on a platform (Zalo shops have no public listing URL)."""
        shop = self.shops[platform]
        base = shop if platform == "website" else _shop_url(platform, shop)
        return f"{base}/{item}" if base else None

    def _unknowns(self, withhold_address: bool) -> tuple[UnknownValue, ...]:
        unknown: list[UnknownValue] = []
        if self.tax_code is None:
            unknown.append(
                UnknownValue(path="tax_code", reason=UnknownReason.NOT_RECORDED, note="chưa đăng ký thuế")
            )
        if self.national_id is None:
            organisation = self.kind == SubjectKind.ORGANISATION
            reason = UnknownReason.NOT_APPLICABLE if organisation else UnknownReason.NOT_RECORDED
            unknown.append(UnknownValue(path="national_id_hash", reason=reason))
        if self.bank is None:
            unknown.append(UnknownValue(path="bank_account_hash", reason=UnknownReason.NOT_RECORDED))
        if self.address is None:
            unknown.append(
                UnknownValue(path="address", reason=UnknownReason.NOT_RECORDED, note="địa chỉ không rõ")
            )
        elif withhold_address:
            unknown.append(UnknownValue(path="address", reason=UnknownReason.WITHHELD, note="đang điều tra"))
        return tuple(unknown)


def _hashed(value: str | None) -> str | None:
    return keyed_hash(value, key_id=DEMO_KEY_ID, key=DEMO_KEY) if value else None


_HOSTS = {"shopee": "shopee.vn", "lazada": "lazada.vn", "tiktok": "tiktok.com", "facebook": "facebook.com"}


def _shop_url(platform: str, shop_id: str) -> str | None:
    return f"https://{_HOSTS[platform]}/{shop_id}" if platform in _HOSTS else None


SELLERS = [
    Seller(
        "SUBJ-SONXINH",
        "Son Xinh Store",
        SubjectKind.PERSON,
        "0912 000 111",
        None,
        "001190000111",
        ("VCB", "0011000111222"),
        "ngõ 12 Hàng Bông, Hoàn Kiếm",
        "01",
        {"shopee": "sonxinh.official", "tiktok": "@sonxinhstore", "facebook": "sonxinhhn"},
    ),
    Seller(
        "SUBJ-MINHANH",
        "Công ty TNHH Thời Trang Minh Anh",
        SubjectKind.ORGANISATION,
        "028 3800 1234",
        "0316000123",
        None,
        ("TCB", "19033344455"),
        "45 Lê Lợi, Quận 1",
        "79",
        {"tiktok": "@minhanhfashion", "shopee": "minhanh.fashion", "zalo": "minhanhfashion"},
    ),
    Seller(
        "SUBJ-DONGHOSG",
        "Đồng Hồ Sài Gòn Auth",
        SubjectKind.PERSON,
        "0903 222 333",
        None,
        "079088002233",
        ("MB", "0903222333"),
        None,
        "79",
        {"tiktok": "@donghosaigon", "facebook": "donghosaigonauth", "website": "https://donghosaigonauth.vn"},
    ),
    Seller(
        "SUBJ-VAPEHN",
        "Thuốc Lá Điện Tử HN",
        SubjectKind.PERSON,
        "0988 444 555",
        None,
        "001095004455",
        ("VCB", "0451000444555"),
        "Cầu Giấy",
        "01",
        {"facebook": "vapehn.shop", "zalo": "vapehn", "website": "https://vapehn.store"},
    ),
    Seller(
        "SUBJ-SNEAKER",
        "Giày Sneaker Rep 1:1",
        SubjectKind.PERSON,
        "0977 666 777",
        "0201234567",
        "031092006677",
        None,
        "Lê Chân",
        "31",
        {"lazada": "sneaker-rep-11", "shopee": "sneakerrep11"},
    ),
    Seller(
        "SUBJ-NHATHUOC",
        "Công ty TNHH Dược phẩm Online 24h",
        SubjectKind.ORGANISATION,
        "0966 888 999",
        "0109990002",
        None,
        ("BIDV", "12010000888999"),
        "Thanh Xuân",
        "01",
        {"website": "https://nhathuoconline24h.com"},
    ),
    Seller(
        "SUBJ-THUCPHAM",
        "Thực Phẩm Sạch Đà Nẵng",
        SubjectKind.PERSON,
        "0935 121 212",
        None,
        "048085001212",
        ("VCB", "0041000121212"),
        "Hải Châu",
        "48",
        {"facebook": "thucphamsachdn", "zalo": "thucphamsachdn"},
    ),
    Seller(
        "SUBJ-GIADUNG",
        "Gia Dụng Thái Nguyên",
        SubjectKind.PERSON,
        "0208 365 1234",
        "4601234567",
        "019087003456",
        None,
        "TP. Thái Nguyên",
        "19",
        {"zalo": "giadungtn", "facebook": "giadungthainguyen"},
    ),
    Seller(
        "SUBJ-XACHTAY",
        "Điện Thoại Xách Tay Giá Rẻ",
        SubjectKind.PERSON,
        "0909 343 434",
        None,
        None,
        ("ACB", "3434343434"),
        None,
        "79",
        {"website": "https://xachtaygiare.vn", "lazada": "xachtay-giare"},
    ),
]


def sellers_on(platform: str) -> list[Seller]:
    """Sellers with a shop on a platform, in a fixed order so the demo stays deterministic."""
    return [seller for seller in SELLERS if seller.on(platform)]
