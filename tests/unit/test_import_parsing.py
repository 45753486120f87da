"""Reading cells the way Vietnamese agency spreadsheets write them: money, dates, phones, headers, places."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from producers.importers.cell_words import category_code, platform_code, platform_of_url, yes_no
from producers.importers.dates import DateError, parse_date
from producers.importers.identifiers import IdentifierError, parse_phone, parse_tax_code
from producers.importers.mapping import MappingError, agency_mapping, mapped_agencies
from producers.importers.money import MoneyError, parse_vnd
from producers.importers.places import PlaceError, province_code
from producers.importers.text import fold, header_key
from schemas.reference import categories_on

BEFORE_MERGER = date(2025, 3, 1)
AFTER_MERGER = date(2025, 9, 1)


@pytest.mark.parametrize(
    ("written", "vnd"),
    [
        ("1.500.000 đ", 1_500_000),
        ("1,500,000 VND", 1_500_000),
        ("1500000", 1_500_000),
        (1500000.0, 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1.2 tr", 1_200_000),
        ("3,5 trđ", 3_500_000),
        ("2 tỷ", 2_000_000_000),
        ("2 ty 300 trieu", 2_300_000_000),
        ("500k", 500_000),
        ("15.000.000₫", 15_000_000),
        ("1.500 triệu", 1_500_000_000),
    ],
)
def test_money_is_read_in_every_way_reports_write_it(written: object, vnd: int) -> None:
    assert parse_vnd(written) == vnd


@pytest.mark.parametrize("written", ["mười triệu", "khoảng 2 triệu", "-5", "12.5", "1,5", "2 tỷ abc", "đ"])
def test_text_that_is_not_a_whole_amount_of_dong_is_refused(written: str) -> None:
    with pytest.raises(MoneyError):
        parse_vnd(written)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("15/03/2025", date(2025, 3, 15)),
        ("5-3-25", date(2025, 3, 5)),
        ("05.03.2025", date(2025, 3, 5)),
        ("2025-03-15", date(2025, 3, 15)),
        ("ngày 15 tháng 3 năm 2025", date(2025, 3, 15)),
        (datetime(2025, 3, 15, 8, 30), date(2025, 3, 15)),
    ],
)
def test_dates_are_day_first_or_iso_or_excel_cells(written: object, day: date) -> None:
    assert parse_date(written) == day


def test_a_month_first_date_is_refused_rather_than_guessed() -> None:
    with pytest.raises(DateError, match="day first"):
        parse_date("03/15/2025")
    with pytest.raises(DateError, match="no such day"):
        parse_date("30/02/2025")


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        (912345678, "+84912345678"),
        ("+84 (0) 912-345-678", "+84912345678"),
        ("(028) 3800 1234", "+842838001234"),
    ],
)
def test_phones_in_local_and_international_forms_become_one_number(written: object, e164: str) -> None:
    assert parse_phone(written) == e164


@pytest.mark.parametrize("written", ["12345", "0123", "+1 202 555 0100", "abc"])
def test_what_is_not_a_vietnamese_phone_is_refused(written: str) -> None:
    with pytest.raises(IdentifierError):
        parse_phone(written)


def test_tax_codes_get_back_the_leading_zero_and_the_branch_dash() -> None:
    assert parse_tax_code(101234567) == "0101234567"
    assert parse_tax_code("0101234567001") == "0101234567-001"
    assert parse_tax_code("0101234567-001") == "0101234567-001"
    with pytest.raises(IdentifierError):
        parse_tax_code("12")


def test_headers_match_with_or_without_diacritics_case_and_notes() -> None:
    mapping = agency_mapping("qltt")
    for header in ("Số quyết định", "So quyet dinh", "SỐ QUYẾT ĐỊNH", "so_quyet_dinh", "Số QĐ"):
        found = mapping.field_of_header(header)
        assert found is not None and found.name == "decision_number", header
    fine = mapping.field_of_header("Số tiền phạt (đồng)")
    assert fine is not None and fine.name == "fine"
    assert fold("Đội QLTT số 1") == "doi qltt so 1"
    assert header_key("  Trị giá hàng hóa [VNĐ] ") == "tri gia hang hoa"


def test_every_agency_has_a_mapping_and_an_unknown_agency_is_a_clear_error() -> None:
    assert mapped_agencies() == ["customs", "ipvn", "police", "qltt", "tax"]
    for agency in mapped_agencies():
        assert agency_mapping(agency).agency == agency
    with pytest.raises(MappingError, match="no column mapping"):
        agency_mapping("ecom")


def test_old_province_names_and_codes_are_read_as_of_the_row_date() -> None:
    assert province_code("Bắc Giang", BEFORE_MERGER) == "24"
    assert province_code("Bac Giang", AFTER_MERGER) == "24"  # merged into the new Bắc Ninh, code 24
    assert province_code("tỉnh Bắc Ninh", BEFORE_MERGER) == "27"
    assert province_code("27", AFTER_MERGER) == "24"
    assert province_code("Bà Rịa - Vũng Tàu", AFTER_MERGER) == "79"
    assert province_code("TP. HCM", BEFORE_MERGER) == "79"
    assert province_code("1", BEFORE_MERGER) == "01"
    with pytest.raises(PlaceError):
        province_code("Gotham", BEFORE_MERGER)
    with pytest.raises(PlaceError):
        province_code("99", BEFORE_MERGER)


def test_cell_words_become_contract_codes() -> None:
    assert category_code("Hàng giả", BEFORE_MERGER) == "counterfeit"
    assert category_code("hang khong ro nguon goc", BEFORE_MERGER) == "unknown_origin"
    assert category_code("TRỐN THUẾ", BEFORE_MERGER) == "tax_evasion"
    assert platform_code("Tik Tok", BEFORE_MERGER) == "tiktok"
    assert platform_code("website riêng", BEFORE_MERGER) == "website"
    assert platform_of_url("https://m.shopee.vn/shop/1") == "shopee"
    assert platform_of_url("https://vapehn.store/x") is None
    assert (yes_no("Có"), yes_no("x"), yes_no("không"), yes_no("chưa")) == (True, True, False, False)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Đường dẫn", "listing_url"),
        ("Đường dẫn bài đăng trên sàn", "listing_url"),  # lengthened: the longest known start wins
        ("Đường dẫn gian hàng vi phạm", "shop_url"),
        ("Link gian hàng", "shop_url"),
        ("Trị giá", "goods_value"),
        ("Trị giá hàng hóa vi phạm (đồng)", "goods_value"),
        ("TRI GIA TANG VAT VI PHAM", "goods_value"),
        ("Tổng số tiền phạt", "fine"),
        ("Tên tổ chức, cá nhân vi phạm", "seller_name"),
        ("Nội dung hành vi vi phạm", "category"),
        ("Ngày ký quyết định xử phạt", "decided_on"),
        ("Số biên bản VPHC", "record_number"),
    ],
)
def test_headers_units_really_write_are_recognised(header: str, field: str) -> None:
    found = agency_mapping("qltt").field_of_header(header)
    assert found is not None and found.name == field


def test_a_one_word_start_is_not_enough_to_guess_a_header() -> None:
    qltt = agency_mapping("qltt")
    assert qltt.field_of_header("Ngày XYZ") is None  # "Ngày" alone would claim every date column
    assert qltt.field_of_header("Người lập") is None


def test_every_collected_synonym_names_a_field_has_a_source_and_no_spelling_means_two_fields() -> None:
    from producers.importers.mapping import header_synonyms

    synonyms = header_synonyms()
    assert len(synonyms) >= 100
    for agency in mapped_agencies():
        mapping = agency_mapping(agency)
        assert all(s.field in mapping.fields and s.source for s in synonyms)
        claimed: dict[str, str] = {}
        for spec in mapping.fields.values():
            for spelling in (*spec.headers, spec.label, spec.name):
                assert claimed.setdefault(header_key(spelling), spec.name) == spec.name, (agency, spelling)


def test_goods_are_optional_for_every_agency() -> None:
    assert all("goods" not in agency_mapping(agency).required for agency in mapped_agencies())


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Kinh doanh hàng giả mạo nhãn hiệu", "counterfeit"),
        ("Hàng hóa không rõ nguồn gốc xuất xứ", "unknown_origin"),
        ("Buôn bán hàng hóa giả", "counterfeit"),
        ("KD hàng không rõ nguồn gốc, giá rẻ", "unknown_origin"),  # 'giá' (price) is not 'giả' (fake)
        ("Không niêm yết giá", "price"),
        ("khong niem yet gia", "price"),
        ("Kinh doanh hàng hóa nhập lậu", "smuggled"),
        ("Xâm phạm quyền đối với nhãn hiệu", "ip_infringement"),
        ("counterfeit", "counterfeit"),
        ("Kinh doanh hàng hóa quá hạn sử dụng", "expired_goods"),
    ],
)
def test_violations_are_matched_by_the_legal_basis_phrases_they_contain(written: str, code: str) -> None:
    assert category_code(written, BEFORE_MERGER) == code


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("Hàng giả, hàng nhập lậu", "smuggled or counterfeit"),
        (
            "Vi phạm về thời hạn sử dụng của hàng hóa, hàng hóa không rõ nguồn gốc, xuất xứ",
            "expired_goods or",
        ),
    ],
)
def test_a_cell_naming_two_violations_is_ambiguous_and_names_both(written: str, named: str) -> None:
    with pytest.raises(ValueError, match=f"^ambiguous: {named}"):
        category_code(written, BEFORE_MERGER)


def test_an_unknown_violation_says_so_in_vietnamese() -> None:
    with pytest.raises(ValueError, match="không nhận ra hành vi vi phạm 'vi phạm khác'"):
        category_code("vi phạm khác", BEFORE_MERGER)


@given(st.text(max_size=80))
def test_any_violation_text_gives_one_code_or_a_clear_refusal(written: str) -> None:
    try:
        code = category_code(written, BEFORE_MERGER)
    except ValueError as refused:
        assert str(refused).startswith(("ambiguous: ", "không nhận ra", "category "))
    else:
        assert code in {c.code for c in categories_on(BEFORE_MERGER)}


@pytest.mark.parametrize(
    ("written", "url"),
    [
        ("shopee.vn/sonxinh", "https://shopee.vn/sonxinh"),
        ("HTTPS://Shopee.vn/abc", "https://Shopee.vn/abc"),
        ("//facebook.com/tpcn", "https://facebook.com/tpcn"),
        ("<https://tiki.vn/cua-hang/abc>.", "https://tiki.vn/cua-hang/abc"),
        ("www.vapehn.store", "https://www.vapehn.store"),
    ],
)
def test_web_addresses_are_accepted_with_or_without_scheme(written: str, url: str) -> None:
    from producers.importers.case_report import _url

    assert _url(written) == url


@pytest.mark.parametrize("written", ["khong co", "shopee .vn/abc", ".vn", "abc."])
def test_text_that_is_not_a_web_address_is_refused(written: str) -> None:
    from producers.importers.case_report import _url

    with pytest.raises(ValueError, match="không phải địa chỉ web"):
        _url(written)


def test_a_shop_cell_is_a_link_or_a_bare_shop_id() -> None:
    from producers.importers.case_report import _shop

    assert _shop("shopee.vn/sonxinh.official?smtt=0.0.9") == "https://shopee.vn/sonxinh.official?smtt=0.0.9"
    assert _shop("mypham.vn") == "https://mypham.vn"
    assert _shop("sonxinh.official") == "sonxinh.official"
    assert _shop("@minhanhfashion") == "@minhanhfashion"
