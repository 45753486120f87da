"""The pure pieces of access, search and export: the visibility rule, roles, text folding, identifiers,
formula defusing and report periods."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest

from consumers.visibility import Viewer, can_see
from services.access.principal import ANONYMOUS, Capability, Principal, Role
from services.reports.bcd389 import BadPeriod, parse_period
from services.reports.cells import safe_cell, safe_text
from services.store.queries.identifiers import canonical, matches
from services.store.queries.text import fold_text

NOW = datetime(2025, 12, 1, tzinfo=UTC)
ALL = {"level": "ALL_AGENCIES", "agencies": [], "handling": None}


def seen(
    agency: str | None,
    distribution: dict[str, object],
    owner: str = "police",
    embargo: datetime | None = None,
) -> bool:
    return can_see(Viewer(agency, NOW), owner, distribution, embargo)


def test_shared_events_are_seen_by_every_agency_and_the_public() -> None:
    assert seen("qltt", ALL) and seen(None, ALL)


def test_owner_only_events_are_seen_by_the_owner_alone_even_when_agencies_are_listed() -> None:
    owner_only = {"level": "OWNER_ONLY", "agencies": ["qltt"], "handling": None}
    assert seen("police", owner_only)
    assert not seen("qltt", owner_only) and not seen(None, owner_only)


def test_listed_events_are_seen_by_the_listed_agencies_only() -> None:
    listed = {"level": "LISTED_AGENCIES", "agencies": ["qltt"], "handling": None}
    assert seen("qltt", listed) and seen("police", listed)
    assert not seen("tax", listed) and not seen(None, listed)


def test_investigation_confidential_keeps_an_all_agencies_event_from_the_unlisted() -> None:
    confidential = {**ALL, "handling": "INVESTIGATION_CONFIDENTIAL"}
    assert not seen("qltt", confidential) and not seen(None, confidential)
    assert seen("qltt", {**confidential, "agencies": ["qltt"]})
    assert seen("qltt", {**ALL, "handling": "NOT_AS_EVIDENCE"}), "H0-H2 restrict use, not sight"


def test_an_embargo_hides_an_event_from_all_but_its_owner_until_it_ends() -> None:
    assert not seen("qltt", ALL, embargo=NOW + timedelta(seconds=1))
    assert seen("police", ALL, embargo=NOW + timedelta(days=30))
    assert seen("qltt", ALL, embargo=NOW)


def test_roles_grant_capabilities() -> None:
    analyst = Principal("a", "A", "qltt", Role.ANALYST)
    officer = Principal("o", "O", "qltt", Role.AGENCY_OFFICER, frozenset({"01"}))
    assert analyst.can(Capability.EXPORT) and not officer.can(Capability.EXPORT)
    assert officer.can(Capability.READ_CASES) and not officer.can(Capability.READ_AUDIT)
    assert not ANONYMOUS.can(Capability.READ_CASES) and ANONYMOUS.can(Capability.READ_PUBLIC)
    assert not Principal("x", "X", None, Role.OPS).can(Capability.READ_CASES)
    assert officer.viewer(NOW).provinces == {"01"}


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hàng GIẢ", "hang gia"),
        ("ĐỒNG HỒ", "dong ho"),
        ("Mỹ phẩm", "my pham"),
        (unicodedata.normalize("NFD", "Mỹ phẩm"), "my pham"),
    ],
)
def test_text_is_folded_to_plain_lower_case_letters(text: str, folded: str) -> None:
    assert fold_text(text) == folded


def test_identifiers_match_however_they_are_typed() -> None:
    assert matches("phone", "+84 912.345.678", "0912345678")
    assert canonical("tax_code", "0101234567-001") == "0101234567001"
    assert matches("tax_code", "0101234567-001", "0101234567001")
    assert matches("shop_url", "https://www.shopee.vn/abc/", "shopee.vn/abc")
    assert not matches("phone", "0912345678", "0912345679")
    assert not matches("phone", "0912345678", "   ")


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_is_defused(dangerous: str) -> None:
    assert safe_text(dangerous) == "'" + dangerous
    assert safe_cell(dangerous) == "'" + dangerous


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert safe_cell(-5) == -5 and safe_cell("son môi") == "son môi" and safe_cell(None) == ""


def test_report_periods_are_years_quarters_or_months() -> None:
    assert (parse_period("2025").first_day, parse_period("2025").last_day) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert parse_period("2024-Q1").last_day == date(2024, 3, 31)
    assert parse_period("2024-02").last_day == date(2024, 2, 29)
    for bad in ("2025-Q5", "2025-13", "25", "Q4"):
        with pytest.raises(BadPeriod):
            parse_period(bad)
