"""The CSV export's fast path writes byte for byte what the straightforward implementation wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.reports.case_export import _values, cases_csv
from tests.bench.bench_case_export import _reference_values, reference_cases_csv, sample_rows


class Code(str):
    """A str subclass (as some drivers hand back) takes the general path and must come out the same."""


CORNERS: list[dict[str, Any]] = [
    {},
    {column: None for column in ("case_id", "status", "agencies", "first_event_at", "bucket")},
    {
        "case_id": '=HYPERLINK("http://x")',
        "title": "+84 987 654 321",
        "status": "-closed",
        "opened_by": "@qltt",
        "agencies": ("=qltt", "tax"),
        "province_code": "\t79",
        "current_province_code": "79",
        "category": "counterfeit_cosmetics",
        "bucket": "counterfeit_ip",
        "goods": "\rson",
        "total_fines_vnd": -15_000_000,
        "goods_value_vnd": 1.5,
        "first_event_at": datetime(2025, 6, 30, 17, 0, tzinfo=UTC),
        "last_event_at": datetime(2025, 7, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-11))),
        "event_count": True,
    },
    {
        "status": "not_a_status",
        "current_province_code": "00",
        "category": "",
        "bucket": 0,
        "agencies": Code("qltt,tax"),
        "province_code": Code("=1"),
        "first_event_at": datetime(999, 6, 1, 8, 30, tzinfo=UTC),  # strftime's %Y does not pad
        "last_event_at": datetime(2025, 1, 1, 12, 0),  # naive: the old path judged it in local time
        "title": 7,
        "event_count": 0,
    },
]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_csv_output_is_identical_to_the_reference(lang: str) -> None:
    rows = sample_rows(3000, seed=1, odd=True) + sample_rows(500, seed=2) + CORNERS
    assert cases_csv(rows, lang) == reference_cases_csv(rows, lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_xlsx_values_are_unchanged(lang: str) -> None:
    for row in sample_rows(500, seed=3, odd=True) + CORNERS:
        assert _values(row, lang) == _reference_values(row, lang)


def test_the_fixtures_reach_every_corner() -> None:
    text = reference_cases_csv(sample_rows(3000, seed=1, odd=True) + CORNERS, "en").decode("utf-8")
    for piece in ("'=", "'+", "'-", "'@", "'\t", "999-", " - ", ",,", "Incomplete"):
        assert piece in text, piece
