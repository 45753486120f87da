"""The query API on both backends: filters checked against reference data, search with and without
diacritics, sorting and pages, statistics, the BCĐ 389 report, exports and seller look-ups."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.analyst_world import EMBARGO_END, World
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration


def ids(world: World, who: str = "qltt", **params: Any) -> list[str]:
    response = world.client().get("/api/cases", headers=world.headers(who), params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return [case["case_id"][-5:] for case in response.json()["data"]]


def test_search_finds_words_with_or_without_diacritics_and_in_any_case(world: World) -> None:
    assert set(ids(world, q="mỹ phẩm")) == {"00001", "00006"}
    assert set(ids(world, q="MY PHAM GIA")) == {"00001", "00006"}
    assert ids(world, q="dong ho nhap lau") == ["00003"]
    assert ids(world, q="QLTT-00003") == ["00003"]
    assert ids(world, q="khong co tu nay") == []


def test_a_current_province_code_matches_every_case_now_in_that_unit(world: World) -> None:
    assert set(ids(world, province="24")) == {"00005", "00006"}  # new Bắc Ninh: itself and old Bắc Giang
    assert set(ids(world, province="79")) == {"00003", "00007"}  # HCMC now includes Bà Rịa - Vũng Tàu (77)


def test_a_historical_unit_matches_cases_written_with_its_code_while_it_existed(world: World) -> None:
    assert ids(world, province="24", province_on="2024-05-01") == ["00006"]  # Bắc Giang
    assert set(ids(world, province="24", province_on="2025-10-01")) == {"00005", "00006"}  # new unit
    assert ids(world, province="77") == ["00007"]


def test_filters_by_agency_category_bucket_status_platform_and_dates(world: World) -> None:
    assert set(ids(world, agency="tax")) == {"00005"}
    assert set(ids(world, category="smuggled")) == {"00003"}
    assert set(ids(world, bucket="counterfeit_ip")) == {"00001", "00006", "00007"}
    assert set(ids(world, status="penalized")) == {"00001", "00005", "00006"}
    assert set(ids(world, platform="lazada")) == {"00006"}
    assert set(ids(world, date_from="2025-01-01")) == {"00001", "00003", "00005"}
    assert set(ids(world, date_to="2024-12-31")) == {"00006", "00007"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"province": "99"}, "unknown province code '99'"),
        ({"province": "77", "province_on": "2026-01-01"}, "not in force"),
        ({"category": "nonsense"}, "unknown violation category"),
        ({"bucket": "drugs"}, "unknown bucket"),
        ({"status": "lost"}, "unknown status"),
        ({"platform": "myspace"}, "unknown platform"),
        ({"agency": "fbi"}, "unknown agency"),
        ({"date_from": "2025-02-30"}, "date"),
        ({"date_from": "2025-03-01", "date_to": "2025-01-01"}, "is after"),
        ({"sort": "password"}, "cannot sort by"),
        ({"limit": "0"}, "greater than or equal"),
    ],
)
def test_a_bad_filter_is_a_422_that_says_what_is_wrong(
    world: World, params: dict[str, str], message: str
) -> None:
    response = world.client().get("/api/cases", headers=world.headers("qltt"), params=params)
    assert response.status_code == 422
    assert message in response.text


def test_sorting_and_pages_with_the_total_count(world: World) -> None:
    client = world.client()
    by_fines = ids(world, sort="-total_fines_vnd")
    assert by_fines[:3] == ["00005", "00001", "00006"]
    assert ids(world, sort="first_event_at")[0] == "00006"
    page = client.get("/api/cases", headers=world.headers("qltt"), params={"limit": 2, "offset": 2}).json()
    assert page["count"] == 5 and len(page["data"]) == 2
    assert [c["case_id"][-5:] for c in page["data"]] == ids(world)[2:4]


def test_the_total_count_holds_on_every_page_and_past_the_last(world: World) -> None:
    client = world.client()
    counts = {
        offset: client.get(
            "/api/cases", headers=world.headers("qltt"), params={"limit": 2, "offset": offset}
        ).json()
        for offset in (0, 4, 5, 9)
    }
    assert [page["count"] for page in counts.values()] == [5, 5, 5, 5]
    assert [len(page["data"]) for page in counts.values()] == [2, 1, 0, 0]
    assert client.get("/api/cases", headers=world.headers("qltt"), params={"q": "zzzqqq"}).json() == {
        "data": [],
        "count": 0,
    }


def test_statistics_group_by_period_and_dimensions_and_add_up(world: World) -> None:
    client = world.client()
    body = client.get(
        "/api/stats", headers=world.headers("qltt"), params={"group_by": "bucket,agency", "period": "year"}
    ).json()
    assert body["totals"]["cases"] == sum(row["cases"] for row in body["data"]) == 5
    assert body["totals"]["fines_vnd"] == sum(row["fines_vnd"] for row in body["data"]) == 35_000_000
    row = next(r for r in body["data"] if r["year"] == "2025" and r["bucket"] == "trade_tax_fraud")
    assert (row["agency"], row["cases"], row["penalized_cases"], row["fines_vnd"]) == (
        "tax",
        1,
        1,
        20_000_000,
    )
    quarters = client.get("/api/stats", headers=world.headers("qltt"), params={"period": "quarter"}).json()
    assert [r["quarter"] for r in quarters["data"]] == ["2024-Q2", "2025-Q4"]
    by_province = client.get(
        "/api/stats", headers=world.headers("qltt"), params={"group_by": "province"}
    ).json()
    assert {r["province"]: r["cases"] for r in by_province["data"]} == {"01": 1, "24": 2, "79": 2}
    bad = client.get("/api/stats", headers=world.headers("qltt"), params={"group_by": "seller"})
    assert bad.status_code == 422 and "cannot group by seller" in bad.text


def test_the_bcd389_report_as_json_and_as_a_workbook(world: World) -> None:
    client = world.client()
    report = client.get(
        "/api/stats/report", headers=world.headers("qltt"), params={"period": "2025-Q4"}
    ).json()
    assert (report["first_day"], report["last_day"]) == ("2025-10-01", "2025-12-31")
    assert report["totals"]["cases"] == 3 and report["totals"]["referred_cases"] == 1
    assert {r["bucket"] for r in report["by_bucket"]} == {
        "banned_smuggled",
        "counterfeit_ip",
        "trade_tax_fraud",
    }
    response = client.get(
        "/api/stats/report.xlsx", headers=world.headers("qltt"), params={"period": "2025-Q4"}
    )
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    text = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert "BCĐ 389" not in str(text[0]) and "BÁO CÁO" in str(text[0][0])
    total = next(row for row in text if row[0] == "TỔNG CỘNG")
    assert total[2:] == (3, 2, 1, 30_000_000, 0)
    bad = client.get("/api/stats/report", headers=world.headers("qltt"), params={"period": "2025-Q5"})
    assert bad.status_code == 422 and "YYYY-Qn" in bad.text


def test_exports_carry_the_filtered_visible_cases_and_defuse_formulas(world: World) -> None:
    client = world.client()
    csv_response = client.get("/api/export", headers=world.headers("qltt"), params={"format": "csv"})
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 5
    formula = next(row for row in rows if row[0].endswith("00007"))
    assert formula[1].startswith("'=HYPERLINK") and formula[11] == "'@túi xách"
    xlsx = client.get(
        "/api/export", headers=world.headers("qltt"), params={"format": "xlsx", "province": "79"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 1 + 2
    cells = [cell for row in values for cell in row if isinstance(cell, str)]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, 4) for c in range(1, 18))


def test_an_export_over_the_limit_is_refused_with_why_never_cut_short(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export stopped at EXPORT_LIMIT (100,000) rows and said nothing; the page offered the link."""
    from services.views import case_search
    from services.web.pages import cases as case_pages

    client = world.client()
    for limit, status in ((5, 200), (4, 422)):  # qltt sees 5 cases: at the limit, then one beyond it
        monkeypatch.setattr(case_search, "EXPORT_LIMIT", limit)
        monkeypatch.setattr(case_pages, "EXPORT_LIMIT", limit)
        for form in ("csv", "xlsx"):
            answer = client.get("/api/export", headers=world.headers("qltt"), params={"format": form})
            assert answer.status_code == status, answer.text[:300]
        if status == 422:
            assert "more than 4 cases match; narrow the filter" in answer.json()["detail"]
    browser = world.client()
    signed_in_client(browser, world.tokens["qltt"])
    page = browser.get("/cases").text
    assert 'id="export-too-many"' in page and "/api/export" not in page


def test_the_xlsx_export_keeps_its_number_formats_widths_and_frozen_header(world: World) -> None:
    xlsx = world.client().get("/api/export", headers=world.headers("qltt"), params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 40 and sheet.column_dimensions["A"].width == 18
    header = [cell.value for cell in sheet[1]]
    fines, first = header.index("Tiền phạt (đồng)") + 1, header.index("Sự kiện đầu tiên") + 1
    assert {sheet.cell(row=r, column=fines).number_format for r in range(2, 7)} == {"#,##0"}
    assert {sheet.cell(row=r, column=first).number_format for r in range(2, 7)} == {"yyyy-mm-dd hh:mm"}


@pytest.mark.parametrize(
    "typed", ["0912345678", "0912 345 678", "+84 912 345 678", "84912345678", "0101234567"]
)
def test_a_seller_is_found_by_phone_or_tax_code_however_it_is_typed(world: World, typed: str) -> None:
    found = world.client().get(
        "/api/subjects", headers=world.headers("customs"), params={"identifier": typed}
    )
    assert [s["subject_id"] for s in found.json()["data"]] == ["S1"]


def test_a_seller_is_found_by_shop_url_and_by_name_without_diacritics(world: World) -> None:
    client = world.client()
    by_url = client.get("/api/subjects", headers=world.headers("tax"), params={"identifier": "lazada.vn/s1/"})
    assert [s["subject_id"] for s in by_url.json()["data"]] == ["S1"]
    by_name = client.get("/api/subjects", headers=world.headers("tax"), params={"name": "nguyen van my"})
    assert [s["subject_id"] for s in by_name.json()["data"]] == ["S1"]
    assert client.get("/api/subjects", headers=world.headers("tax")).status_code == 422


@pytest.mark.parametrize(
    "typed",
    [
        "https://www.lazada.vn/s1?smtt=0.0.9&spm=a2o4n",
        "lazada.vn/s1/?smtt=0.0.9",
        "@S1",
        "m.lazada.vn/s1",
    ],
)
def test_a_seller_is_found_by_any_spelling_of_its_shop_the_linker_would_match(
    world: World, typed: str
) -> None:
    found = world.client().get("/api/subjects", headers=world.headers("tax"), params={"identifier": typed})
    assert [s["subject_id"] for s in found.json()["data"]] == ["S1"]


def test_the_dossier_gathers_a_sellers_cases_across_platforms_with_totals(world: World) -> None:
    body = world.client().get("/api/subjects/S1", headers=world.headers("customs")).json()
    assert sorted(c["case_id"][-5:] for c in body["cases"]) == ["00001", "00006"]
    assert body["subject"]["platforms"] == ["lazada", "shopee"]
    assert (body["total_fines_vnd"], body["total_goods_value_vnd"]) == (15_000_000, 0)
    kinds = {(i["kind"], i["value"]) for i in body["identifiers"]}
    assert ("phone", "0912 345 678") in kinds and ("phone", "+84 912 345 678") in kinds
    assert [(t["key"], t["cases"]) for t in body["by_platform"]] == [("lazada", 1), ("shopee", 1)]


@pytest.mark.parametrize("who", ["qltt", "police", "tax", "hanoi", "admin"])
@pytest.mark.parametrize("after_embargo", [False, True])
def test_grouped_totals_are_the_totals_asked_for_alone(at_now: World, who: str, after_embargo: bool) -> None:
    """A grouped answer adds its totals up from its groups; they must be what the ungrouped question answers,
    for every viewer, on the tallies and on the case rows (a filter the tallies cannot answer), before and
    after an embargo ends (cases refolded on the request)."""
    if after_embargo:
        at_now.clock[0] = EMBARGO_END + timedelta(days=1)
    client = at_now.client()
    counted = 0
    for where in ({}, {"agency": "tax"}, {"q": "giả"}, {"date_from": "2025-01-01"}, {"status": "penalized"}):
        alone = client.get("/api/stats", headers=at_now.headers(who), params=where)
        assert alone.status_code == 200, alone.text
        for grouping in (
            {"period": "month"},
            {"group_by": "province"},
            {"period": "year", "group_by": "agency,bucket"},
        ):
            grouped = client.get("/api/stats", headers=at_now.headers(who), params={**where, **grouping})
            assert grouped.status_code == 200, grouped.text
            assert grouped.json()["totals"] == alone.json()["totals"], (who, where, grouping)
        counted += alone.json()["totals"]["cases"]
    assert counted > 0  # the comparisons were not all between empty answers
