"""Real-world spellings of seller identifiers and the one key each must give (None: identifies nobody)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemas.bounds import KEY_MAX_CHARS
from schemas.identifiers import bank_account_identifier, keyed_hash
from schemas.normalisation import (
    address_key,
    email_key,
    keyed_hash_key,
    name_key,
    phone_key,
    shop_key_of_id,
    shop_key_of_url,
    tax_code_key,
)
from schemas.normalisation.fields import FIELD_KEYS, field_key, typed_keys

PHONES = [
    ("0912345678", "+84912345678"),
    ("0912 345 678", "+84912345678"),
    ("0912.345.678", "+84912345678"),
    ("0912-345-678", "+84912345678"),
    ("+84912345678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("+84 (0) 912 345 678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("0084912345678", "+84912345678"),
    ("912345678", "+84912345678"),  # a spreadsheet ate the leading 0
    ("  0912345678 ", "+84912345678"),
    ("01623456789", "+84323456789"),  # Viettel 0162 renumbered to 032 in 2018
    ("0123 456 7890", "+84834567890"),  # VinaPhone 0123 → 083
    ("0121 234 5678", "+84792345678"),  # MobiFone 0121 → 079
    ("028 3800 1234", "+842838001234"),  # Ho Chi Minh City landline
    ("(024) 3825 1234", "+842438251234"),
    ("+86 138 0013 8000", "+8613800138000"),  # a Chinese supplier keeps its country code
    ("0000000000", None),
    ("0999999999", None),
    ("0900000000", None),
    ("0123456789", None),
    ("0987654321", "+84987654321"),  # a valid Viettel number whose digits happen to run down (issue 18)
    ("+84 987 654 321", "+84987654321"),
    ("19001221", None),  # Shopee's hotline: a service number identifies no seller
    ("1800 1234", None),
    ("N/A", None),
    ("không có", None),
    ("12345", None),
    ("0612345678", None),  # no such mobile range
    ("", None),
]


@pytest.mark.parametrize(("raw", "key"), PHONES)
def test_phone_spellings_give_one_e164_key_or_none(raw: str, key: str | None) -> None:
    assert phone_key(raw) == key


TAX_CODES = [
    ("0101234567", "0101234567"),
    ("0101 234 567", "0101234567"),
    ("0101.234.567", "0101234567"),
    ("101234567", "0101234567"),  # a number cell lost the leading 0
    ("0101234567-001", "0101234567-001"),
    ("0101234567 - 001", "0101234567-001"),
    ("0101234567001", "0101234567-001"),
    ("101234567-001", "0101234567-001"),
    ("0101234567-000", "0101234567"),
    ("001190000111", "001190000111"),  # a citizen's 12-digit number, the personal tax code since 2025-07
    ("0000000000", None),
    ("1111111111", None),
    ("0123456789", None),
    ("0101234567-01", None),
    ("MST 0101234567", None),
    ("N/A", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "key"), TAX_CODES)
def test_tax_code_spellings_give_one_key_or_none(raw: str, key: str | None) -> None:
    assert tax_code_key(raw) == key


SHOP_URLS = [
    ("https://shopee.vn/sonxinh.official", "shopee:sonxinh.official"),
    ("http://shopee.vn/SonXinh.Official/", "shopee:sonxinh.official"),
    ("https://m.shopee.vn/sonxinh.official?smtt=0.0.9", "shopee:sonxinh.official"),
    ("www.shopee.vn/sonxinh.official", "shopee:sonxinh.official"),
    ("shopee.vn/sonxinh.official#reviews", "shopee:sonxinh.official"),
    ("https://shopee.vn/shop/123456789", "shopee:123456789"),
    ("https://shopee.vn/shop/123456789/search?page=2", "shopee:123456789"),
    ("https://shopee.vn/Son-moi-li-Xinh-chinh-hang-i.123456789.22334455667", "shopee:123456789"),
    ("https://shopee.vn/product/123456789/22334455667", "shopee:123456789"),
    ("https://s.shopee.vn/AbCdEf12", "shopee:share/AbCdEf12"),
    ("https://shopee.vn/search?keyword=son", None),
    ("https://www.lazada.vn/shop/sneaker-rep-11", "lazada:sneaker-rep-11"),
    ("https://www.lazada.vn/shop/sneaker-rep-11/?path=index.htm", "lazada:sneaker-rep-11"),
    ("https://lazada.vn/sneaker-rep-11", "lazada:sneaker-rep-11"),
    ("https://www.lazada.vn/products/giay-i123-s456.html", None),  # a listing names no shop
    ("https://www.tiktok.com/@SonXinhStore", "tiktok:sonxinhstore"),
    ("https://www.tiktok.com/@sonxinhstore/video/7301234567890", "tiktok:sonxinhstore"),
    ("https://m.tiktok.com/@sonxinhstore?lang=vi-VN", "tiktok:sonxinhstore"),
    ("https://vt.tiktok.com/ZSabc123/", "tiktok:share/ZSabc123"),
    ("https://www.facebook.com/sonxinhhn", "facebook:sonxinhhn"),
    ("https://m.facebook.com/Son.Xinh.HN/", "facebook:sonxinhhn"),  # Facebook ignores dots and case
    ("https://web.facebook.com/sonxinhhn/posts/123", "facebook:sonxinhhn"),
    ("https://fb.com/sonxinhhn", "facebook:sonxinhhn"),
    ("https://www.facebook.com/profile.php?id=100012345678901", "facebook:100012345678901"),
    ("https://m.facebook.com/profile.php?id=100012345678901&ref=bookmarks", "facebook:100012345678901"),
    ("https://www.facebook.com/pages/Son-Xinh/123456789012", "facebook:123456789012"),
    ("https://www.facebook.com/people/Son-Xinh/100012345678901/", "facebook:100012345678901"),
    ("https://www.facebook.com/groups/hangxachtay", "facebook:group/hangxachtay"),
    ("https://www.facebook.com/marketplace/item/123", None),
    ("https://zalo.me/0912345678", "zalo:+84912345678"),
    ("https://zalo.me/minhanhfashion", "zalo:minhanhfashion"),
    ("https://www.instagram.com/sonxinh.hn/", "instagram:sonxinh.hn"),
    ("https://www.youtube.com/@DongHoSaiGon", "youtube:donghosaigon"),
    ("https://tiki.vn/cua-hang/giadung-tn", "tiki:giadung-tn"),
    ("https://www.sendo.vn/shop/giadung-tn", "sendo:giadung-tn"),
    ("https://t.me/vapehn", "telegram:vapehn"),
    ("https://donghosaigonauth.vn", "website:donghosaigonauth.vn"),
    ("https://www.DongHoSaiGonAuth.vn/san-pham/rolex", "website:donghosaigonauth.vn"),
    ("not a url", None),
]


@pytest.mark.parametrize(("raw", "key"), SHOP_URLS)
def test_shop_urls_give_platform_and_handle(raw: str, key: str | None) -> None:
    assert shop_key_of_url(raw) == key


SHOP_IDS = [
    ("shopee", "sonxinh.official", "shopee:sonxinh.official"),
    ("shopee", "SonXinh.Official", "shopee:sonxinh.official"),
    ("shopee", "123456789", "shopee:123456789"),
    ("tiktok", "@minhanhfashion", "tiktok:minhanhfashion"),
    ("tiktok", "minhanhfashion", "tiktok:minhanhfashion"),
    ("facebook", "son.xinh.hn", "facebook:sonxinhhn"),
    ("lazada", "sneaker-rep-11", "lazada:sneaker-rep-11"),
    ("shopee", "https://shopee.vn/shop/123456789", "shopee:123456789"),
    ("shopee", "", None),
    (None, "sonxinh.official", None),
]


@pytest.mark.parametrize(("platform", "raw", "key"), SHOP_IDS)
def test_shop_ids_share_the_key_of_their_urls(platform: str | None, raw: str, key: str | None) -> None:
    assert shop_key_of_id(platform, raw) == key


def test_a_shop_id_and_its_url_give_the_same_key() -> None:
    assert shop_key_of_id("shopee", "sneakerrep11") == shop_key_of_url("https://shopee.vn/sneakerrep11")
    assert shop_key_of_id("tiktok", "@donghosaigon") == shop_key_of_url("tiktok.com/@donghosaigon")


EMAILS = [
    ("sonxinh@gmail.com", "sonxinh@gmail.com"),
    ("SonXinh@Gmail.com", "sonxinh@gmail.com"),
    ("son.xinh@gmail.com", "sonxinh@gmail.com"),
    ("son.xinh+shopee@googlemail.com", "sonxinh@gmail.com"),
    ("mailto:sonxinh@gmail.com", "sonxinh@gmail.com"),
    ("minh.anh@minhanh.vn", "minh.anh@minhanh.vn"),  # dots matter outside Gmail
    ("minh.anh+tag@minhanh.vn", "minh.anh+tag@minhanh.vn"),
    ("shop+vn@outlook.com", "shop@outlook.com"),
    ("not an email", None),
    ("a@b", None),
]


@pytest.mark.parametrize(("raw", "key"), EMAILS)
def test_emails_compare_as_providers_deliver(raw: str, key: str | None) -> None:
    assert email_key(raw) == key


def test_keyed_hashes_match_across_spellings_of_the_same_number_only_under_one_key() -> None:
    key = b"agency shared secret"
    written = ["001190000111", "001 190 000 111", "001-190-000-111"]
    digests = {keyed_hash(w, key_id="k1", key=key) for w in written}
    assert len(digests) == 1
    digest = digests.pop()
    assert keyed_hash_key(digest.upper()) == digest
    assert keyed_hash(written[0], key_id="k2", key=b"another key") != digest
    assert keyed_hash_key("001190000111") is None  # a clear number is never a match key


def test_bank_accounts_hash_with_their_bank() -> None:
    key = b"agency shared secret"
    vcb = keyed_hash(bank_account_identifier("VCB", "0011 000 111 222"), key_id="k1", key=key)
    same = keyed_hash(bank_account_identifier("vcb", "0011000111222"), key_id="k1", key=key)
    other_bank = keyed_hash(bank_account_identifier("TCB", "0011000111222"), key_id="k1", key=key)
    assert keyed_hash_key(vcb) == keyed_hash_key(same) != keyed_hash_key(other_bank)


ADDRESSES = [
    ("Số 45 Lê Lợi, Q.1, TP.HCM", "45 le loi quan 1 ho chi minh"),
    ("45 Lê Lợi, Quận 1, Thành phố Hồ Chí Minh", "45 le loi quan 1 thanh pho ho chi minh"),
    ("45 le loi q1 tp hcm", "45 le loi quan 1 ho chi minh"),
    ("Hẻm 12 Nguyễn Trãi, P.5", "ngo 12 nguyen trai phuong 5"),
    ("ngõ 12 Nguyễn Trãi, phường 5", "ngo 12 nguyen trai phuong 5"),
    ("không rõ", None),
    ("N/A", None),
    ("HN", None),
]


@pytest.mark.parametrize(("raw", "key"), ADDRESSES)
def test_addresses_fold_loosely(raw: str, key: str | None) -> None:
    assert address_key(raw) == key


def test_names_fold_legal_forms_and_diacritics() -> None:
    assert (
        name_key("Công ty TNHH Thời Trang Minh Anh")
        == name_key("THỜI TRANG MINH ANH")
        == "thoi trang minh anh"
    )
    assert name_key("Không có") is None


@given(st.text(max_size=300) | st.from_regex(r"https?://\S{0,80}", fullmatch=True))
@example("https://[x")
@example("shopee.vn:port/abc")
def test_no_typed_text_makes_a_normaliser_raise(typed: str) -> None:
    """Whatever a user types or an agency sends ('https://[x' once raised ValueError), a key or None."""
    for key in typed_keys(typed, ("shopee", "facebook")):
        assert isinstance(key, tuple) and len(key[1]) <= KEY_MAX_CHARS
    for field in FIELD_KEYS:
        assert field_key(field, typed) is None or isinstance(field_key(field, typed), tuple)
