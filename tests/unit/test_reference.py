"""Reference data: dated provinces (the reused-code trap), categories by legal basis, platforms, agencies."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from itertools import pairwise

import pytest

from schemas.errors import ContractViolation
from schemas.events import SalesChannel
from schemas.identifiers import bank_account_identifier, keyed_hash
from schemas.reference import (
    Bucket,
    Confidence,
    agencies,
    agency,
    agency_history,
    bucket_of,
    categories_on,
    category,
    category_history,
    channels,
    current_province,
    datasets,
    handling_code,
    platform,
    platforms,
    province_history,
    province_on,
    provinces_on,
    publishing_agencies,
    retired_codes,
    reused_codes,
)
from schemas.reference.datasets import Dated
from services.settings import AGENCY_CODES

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
REUSED = {  # code: (name before 2025-07-01, name after) — shared/reference/README.md
    "15": ("Yên Bái", "Lào Cai"),
    "24": ("Bắc Giang", "Bắc Ninh"),
    "44": ("Quảng Bình", "Quảng Trị"),
    "52": ("Bình Định", "Gia Lai"),
    "80": ("Long An", "Tây Ninh"),
    "82": ("Tiền Giang", "Đồng Tháp"),
    "91": ("Kiên Giang", "An Giang"),
}
NAMES_SURVIVE_UNDER_NEW_CODE = {
    "10": "15",
    "27": "24",
    "45": "44",
    "64": "52",
    "72": "80",
    "87": "82",
    "89": "91",
}


def _columns(file: str) -> list[str]:
    text = resources.files("schemas.reference").joinpath(file).read_text(encoding="utf-8")
    return next(csv.reader(text.splitlines()))


def test_the_manifest_lists_every_data_file_and_each_has_validity_and_source_columns() -> None:
    folder = resources.files("schemas.reference")
    shipped = {entry.name for entry in folder.iterdir() if entry.name.endswith(".csv")}
    assert {d.file for d in datasets().values()} == shipped
    for dataset in datasets().values():
        assert {"valid_from", "valid_to", "source"} <= set(_columns(dataset.file)), dataset.name
        assert dataset.sources and dataset.version


def _gaps_or_overlaps(rows: Sequence[Dated]) -> bool:
    return any(
        earlier.valid_to is None or later.valid_from != earlier.valid_to + timedelta(days=1)
        for earlier, later in pairwise(rows)
    )


def test_rows_of_one_code_follow_each_other_without_gap_or_overlap() -> None:
    province_codes = {p.code for p in provinces_on(BEFORE) + provinces_on(AFTER)}
    category_codes = {
        c.code for day in (date(2019, 1, 1), AFTER, date(2026, 7, 1)) for c in categories_on(day)
    }
    assert [c for c in province_codes if _gaps_or_overlaps(province_history(c))] == []
    assert [c for c in category_codes if _gaps_or_overlaps(category_history(c))] == []
    assert [c for c in agencies() if _gaps_or_overlaps(agency_history(c))] == []


def test_there_were_63_provinces_until_2025_06_30_and_34_from_2025_07_01() -> None:
    assert len(provinces_on(BEFORE)) == 63
    assert len(provinces_on(AFTER)) == 34
    assert {p.unit_type for p in provinces_on(AFTER)} == {"province", "municipality"}


@pytest.mark.parametrize("code", sorted(REUSED))
def test_a_reused_code_means_the_old_province_before_the_merger_and_the_new_one_after(code: str) -> None:
    old_name, new_name = REUSED[code]
    assert province_on(code, BEFORE).name == old_name
    assert province_on(code, AFTER).name == new_name
    assert current_province(code, BEFORE).name == new_name


def test_exactly_the_seven_documented_codes_are_reused() -> None:
    assert reused_codes() == frozenset(REUSED)


def test_the_day_of_an_instant_is_taken_in_vietnam_time() -> None:
    midnight_in_hanoi = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    assert province_on("24", midnight_in_hanoi - timedelta(seconds=1)).name == "Bắc Giang"
    assert province_on("24", midnight_in_hanoi).name == "Bắc Ninh"


def test_a_moment_without_a_time_zone_has_no_date() -> None:
    with pytest.raises(ValueError, match="time zone"):
        province_on("24", datetime(2025, 7, 1, 12, 0))


@pytest.mark.parametrize("retired, successor", sorted(NAMES_SURVIVE_UNDER_NEW_CODE.items()))
def test_a_retired_code_is_refused_after_the_merger_and_names_where_it_went(
    retired: str, successor: str
) -> None:
    assert province_on(retired, BEFORE).valid_to == BEFORE
    with pytest.raises(ContractViolation, match=f"not in force on 2025-07-01.*then part of {successor}"):
        province_on(retired, AFTER)


def test_retired_codes_are_the_29_absorbed_units_and_none_is_in_use() -> None:
    assert len(retired_codes()) == 63 - 34
    assert set(NAMES_SURVIVE_UNDER_NEW_CODE) <= retired_codes()
    assert retired_codes().isdisjoint(p.code for p in provinces_on(AFTER))


def test_every_old_unit_has_a_current_successor() -> None:
    current = {p.code for p in provinces_on(AFTER)}
    assert {current_province(p.code, BEFORE).code for p in provinces_on(BEFORE)} == current
    assert current_province("77", date(2023, 5, 1)).name == "Thành phố Hồ Chí Minh"
    assert current_province("27", date(2023, 5, 1)).code == "24"


def test_unit_type_is_dated_hue_became_a_municipality_in_2025() -> None:
    assert province_on("46", date(2024, 6, 1)).unit_type == "province"
    assert province_on("46", date(2025, 3, 1)).unit_type == "municipality"
    assert current_province("46", date(2020, 1, 1)).valid_from == AFTER


def test_unknown_province_codes_and_dates_before_the_records_are_refused() -> None:
    with pytest.raises(ContractViolation, match="unknown province code '99'"):
        province_on("99", AFTER)
    with pytest.raises(ContractViolation, match="not in force on 2005-01-01"):
        province_on("01", date(2005, 1, 1))


def test_a_category_keeps_its_code_when_its_decree_changes() -> None:
    assert category("smuggled", date(2019, 1, 1)).instrument == "185/2013/NĐ-CP"
    in_2025 = category("smuggled", date(2025, 1, 1))
    assert (in_2025.instrument, in_2025.article, in_2025.confidence) == (
        "98/2020/NĐ-CP",
        "15",
        Confidence.CONFIRMED,
    )


def test_an_expired_category_is_refused_after_its_end_and_names_its_replacement() -> None:
    assert category("ecommerce_not_notified", date(2026, 6, 30)).qltt_subtype == "ecommerce"
    with pytest.raises(ContractViolation, match=r"expired on 2026-06-30.*'ecommerce_violation'"):
        category("ecommerce_not_notified", date(2026, 7, 1))
    assert category("ecommerce_violation", date(2026, 7, 1)).instrument == "122/2025/QH15"


def test_a_category_is_refused_before_its_legal_basis_took_effect() -> None:
    with pytest.raises(ContractViolation, match="not in force on 2013-01-01"):
        category("counterfeit", date(2013, 1, 1))
    with pytest.raises(ContractViolation, match="unknown violation category 'fake'"):
        category("fake", AFTER)


def test_every_category_sits_in_one_bcd389_bucket_across_its_history() -> None:
    for code in {c.code for c in categories_on(AFTER)}:
        assert len({row.bucket for row in category_history(code)}) == 1, code
    assert bucket_of("smuggled") == Bucket.BANNED_SMUGGLED
    assert bucket_of(category("counterfeit", AFTER)) == Bucket.COUNTERFEIT_IP
    assert bucket_of("tax_evasion") == Bucket.TRADE_TAX_FRAUD
    assert bucket_of("unclassified") is None
    assert {c.bucket for c in categories_on(AFTER)} == {*Bucket, None}


def test_qltt_subtypes_of_the_reference_are_all_covered() -> None:
    subtypes = {c.qltt_subtype for c in categories_on(date(2025, 9, 1))} - {None}
    assert subtypes == {"unknown_origin", "price", "business_conditions", "food_safety", "ecommerce"}


def test_citations_without_an_article_are_marked_unconfirmed() -> None:
    for day in (date(2019, 1, 1), AFTER, date(2026, 7, 1)):
        for row in categories_on(day):
            if row.instrument is not None and row.article is None:
                assert row.confidence == Confidence.UNCONFIRMED, row.code


def test_platforms_offer_only_known_sales_channels_and_channels_label_every_symbol() -> None:
    assert set(channels()) == {member.value for member in SalesChannel}
    for found in platforms().values():
        assert found.channels <= set(channels()), found.code
    assert "LIVESTREAM" in platform("tiktok").channels
    with pytest.raises(ContractViolation, match="unknown platform 'myspace'"):
        platform("myspace")


def test_handling_codes_follow_siena_and_unknown_ones_list_the_choices() -> None:
    assert handling_code("NOT_AS_EVIDENCE").siena_equivalent == "H1"
    with pytest.raises(ContractViolation, match="INVESTIGATION_CONFIDENTIAL"):
        handling_code("SECRET")


def test_agencies_are_named_as_on_the_date_and_only_those_with_topics_publish() -> None:
    assert agency("qltt", date(2024, 6, 1)).name_vi.startswith("Tổng cục Quản lý thị trường")
    assert agency("qltt", date(2025, 3, 1)).name_vi.startswith("Cục Quản lý và Phát triển thị trường")
    assert publishing_agencies() == frozenset(AGENCY_CODES)
    assert agency("bcd389").publishes and not agency("ecom").publishes  # BCĐ 389 publishes tips
    with pytest.raises(ContractViolation, match="did not exist on 2013-01-01"):
        agency("bcd389", date(2013, 1, 1))


def test_keyed_hashes_ignore_formatting_but_depend_on_the_key() -> None:
    one = keyed_hash("0012 3456-7890", key_id="k2026", key=b"secret")
    assert one == keyed_hash("001234567890", key_id="k2026", key=b"secret")
    assert one != keyed_hash("001234567890", key_id="k2026", key=b"other")
    assert one.startswith("k2026:") and len(one) == len("k2026:") + 64
    assert bank_account_identifier("vcb", "0011 0022") == "VCB:00110022"
    with pytest.raises(ValueError, match="key id"):
        keyed_hash("1", key_id="Bad Key", key=b"secret")
