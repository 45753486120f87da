"""The real people and firms behind the shops, and how each agency records them as its own subjects.

One seller runs shops on several platforms; each agency gives a seller it meets its own subject id
(per platform, as agencies rarely know two shops are one seller) and records a different subset of
identifiers, written its own way (0912 345 678, +84912345678, 0912.345.678). The ground truth — which
subject ids are the same seller — is kept for entity-resolution work to measure itself against.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from producers.importers.text import key_of
from producers.simulator.catalog import (
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    FIRM_WORDS,
    MALE_GIVEN,
    MALE_MIDDLE,
    ORGANISATION_PATTERNS,
    SHOP_PATTERNS,
    SURNAMES,
)
from producers.simulator.weights import Weighted, pick, platform_weights, province_weights, zipf_weights
from schemas.events import SubjectIdentified, SubjectKind, SubjectRole
from schemas.identifiers import bank_account_identifier, keyed_hash

SIMULATOR_KEY_ID = "sim1"
SIMULATOR_KEY = b"casehub simulator key - synthetic data only"
PLACEHOLDER_PHONES = ("19001221", "0000000000")
"""Values sellers and clerks put in a phone field that identify nobody (a platform hotline, zeros)."""
_MOBILE = tuple(str(n) for n in (*range(32, 40), 56, 58, 70, *range(76, 80), *range(81, 87), 88, 89, 90, 91))
_MOBILE += tuple(str(n) for n in (93, 94, 96, 97, 98, 99))
"""Mobile prefixes after the 0 since the 2018 renumbering (Viettel, VinaPhone, MobiFone, ...)."""
_BANKS = ("VCB", "TCB", "BIDV", "ACB", "MB", "VPB", "TPB", "STB")
_STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Hùng Vương",
)
_HOSTS = {
    "shopee": "https://shopee.vn/{}",
    "lazada": "https://www.lazada.vn/shop/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "youtube": "https://www.youtube.com/@{}",
    "tiki": "https://tiki.vn/cua-hang/{}",
    "sendo": "https://www.sendo.vn/shop/{}",
    "telegram": "https://t.me/{}",
    "zalo": "https://zalo.me/{}",
}
_SURNAMES = Weighted.of(SURNAMES)


@dataclass
class Seller:
    """One real seller (person or firm) with every identifier it uses; `key` is the ground truth."""

    key: str
    kind: SubjectKind
    name: str
    shop_name: str
    phones: tuple[str, ...]
    tax_code: str | None
    national_id_hash: str | None
    bank_account_hash: str | None
    address: str | None
    province: str
    shops: dict[str, str] = field(default_factory=dict)
    """platform → shop id (the URL itself for a website)."""

    def shop_url(self, platform: str) -> str:
        shop = self.shops[platform]
        return shop if platform == "website" else _HOSTS[platform].format(shop)


class SellerPool:
    """A fixed population of sellers drawn with Zipf weights, so a few turn up again and again."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.sellers = [_new_seller(rng, index) for index in range(size)]
        self.popularity = zipf_weights(size)
        self.subject_of: dict[tuple[str, str, str], str] = {}
        self.truth: dict[str, str] = {}
        """subject id → seller key."""
        self.agencies_of: dict[str, set[str]] = {}

    def choose(self, platform: str) -> Seller:
        """A seller for a new case on a platform; one without a shop there opens one (sellers spread)."""
        seller = self.sellers[self.popularity.draw(self.rng)]
        if platform not in seller.shops:
            seller.shops[platform] = _shop_id(self.rng, seller, platform)
        return seller

    def identified(self, seller: Seller, agency: str, platform: str, province: str) -> SubjectIdentified:
        """The seller as `agency` records it on a platform: its own subject id, its own subset of facts."""
        rng = self.rng
        slot = (agency, seller.key, platform)
        subject_id = self.subject_of.get(slot)
        if subject_id is None:
            subject_id = f"{agency.upper()}-SUBJ-{rng.getrandbits(40):010x}"
            self.subject_of[slot] = subject_id
            self.truth[subject_id] = seller.key
        self.agencies_of.setdefault(seller.key, set()).add(agency)
        phone = _written_phone(rng, pick(rng, seller.phones)) if rng.random() < _PHONE_SHARE[agency] else None
        if phone is not None and rng.random() < 0.01:
            phone = pick(rng, PLACEHOLDER_PHONES)
        own_site = platform == "website"
        organisation = seller.kind == SubjectKind.ORGANISATION
        return SubjectIdentified(
            subject_id=subject_id,
            kind=seller.kind,
            role=SubjectRole.SELLER,
            display_name=seller.name if agency in ("tax", "customs") or organisation else seller.shop_name,
            platform=platform,
            shop_id=None if own_site else seller.shops[platform],
            shop_url=seller.shop_url(platform) if own_site or rng.random() < 0.7 else None,
            phone=phone,
            tax_code=seller.tax_code if agency in ("tax", "customs", "ipvn") or rng.random() < 0.3 else None,
            national_id_hash=seller.national_id_hash if agency in ("police", "tax") else None,
            bank_account_hash=seller.bank_account_hash if agency == "police" else None,
            address=seller.address if agency != "police" and rng.random() < 0.6 else None,
            province_code=province,
        )

    def known_elsewhere(self, seller: Seller, agency: str) -> list[str]:
        """Other agencies that have already met this seller, in a fixed order."""
        return sorted(self.agencies_of.get(seller.key, set()) - {agency})

    def ground_truth(self) -> dict[str, Any]:
        """Which subject ids are one seller, with the seller's identifiers (for entity-resolution scoring)."""
        by_seller: dict[str, list[str]] = {}
        for subject_id, key in self.truth.items():
            by_seller.setdefault(key, []).append(subject_id)
        sellers = {s.key: s for s in self.sellers}
        return {
            "subject_to_seller": dict(sorted(self.truth.items())),
            "sellers": {
                key: {
                    "subject_ids": sorted(ids),
                    "kind": sellers[key].kind.value,
                    "phones": list(sellers[key].phones),
                    "tax_code": sellers[key].tax_code,
                    "shops": {p: sellers[key].shop_url(p) for p in sorted(sellers[key].shops)},
                }
                for key, ids in sorted(by_seller.items())
            },
            "placeholder_phones": list(PLACEHOLDER_PHONES),
        }


_PHONE_SHARE = {"qltt": 0.85, "customs": 0.5, "tax": 0.6, "police": 0.95, "ipvn": 0.4}


def _new_seller(rng: random.Random, index: int) -> Seller:
    person = _person_name(rng)
    organisation = rng.random() < 0.15
    kind = SubjectKind.ORGANISATION if organisation else SubjectKind.PERSON
    given = person.rsplit(" ", 1)[-1]
    shop_name = pick(rng, SHOP_PATTERNS).format(
        given=given, goods=pick(rng, ("Mỹ Phẩm", "Giày", "Đồng Hồ", "Gia Dụng"))
    )
    name = (
        pick(rng, ORGANISATION_PATTERNS).format(
            a=pick(rng, FIRM_WORDS), b=pick(rng, FIRM_WORDS), person=person
        )
        if organisation
        else person
    )
    phones = tuple(_mobile(rng) for _ in range(1 + (rng.random() < 0.3)))
    has_tax_code = organisation or rng.random() < 0.4
    seller = Seller(
        key=f"SELLER-{index:06d}",
        kind=kind,
        name=name,
        shop_name=shop_name,
        phones=phones,
        tax_code=f"{rng.randint(1, 96):02d}{rng.randint(0, 99_999_999):08d}" if has_tax_code else None,
        national_id_hash=None
        if organisation
        else _hashed(f"0{rng.randint(10, 96)}{rng.randint(0, 10**9 - 1):09d}"),
        bank_account_hash=_hashed(bank_account_identifier(pick(rng, _BANKS), f"{rng.getrandbits(40)}"))
        if rng.random() < 0.6
        else None,
        address=f"số {rng.randint(1, 300)} {pick(rng, _STREETS)}" if rng.random() < 0.7 else None,
        province=province_weights().draw(rng),
    )
    first = platform_weights().draw(rng)
    seller.shops[first] = _shop_id(rng, seller, first)
    return seller


def _person_name(rng: random.Random) -> str:
    surname = _SURNAMES.draw(rng)
    if rng.random() < 0.5:
        return f"{surname} {pick(rng, MALE_MIDDLE)} {pick(rng, MALE_GIVEN)}"
    return f"{surname} {pick(rng, FEMALE_MIDDLE)} {pick(rng, FEMALE_GIVEN)}"


def _shop_id(rng: random.Random, seller: Seller, platform: str) -> str:
    slug = key_of(seller.shop_name).replace(" ", "")
    if platform == "website":
        return f"https://{slug}{rng.randint(1, 99)}.vn"
    return f"{slug}.{rng.randint(10, 9999)}" if rng.random() < 0.6 else slug


def _mobile(rng: random.Random) -> str:
    return f"0{pick(rng, _MOBILE)}{rng.randint(0, 9_999_999):07d}"


def _written_phone(rng: random.Random, phone: str) -> str:
    """The same number as different clerks write it."""
    style = rng.random()
    if style < 0.5:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if style < 0.8:
        return f"+84{phone[1:]}"
    return f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"


def _hashed(value: str) -> str:
    return keyed_hash(value, key_id=SIMULATOR_KEY_ID, key=SIMULATOR_KEY)
