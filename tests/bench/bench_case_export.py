"""Micro-benchmark of the CSV case export, and the implementation it replaced (the reference the
equivalence test compares against). Prints rows/s; asserts nothing.

    .venv/bin/python -m tests.bench.bench_case_export [--rows 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from services.reports.case_export import COLUMNS, LABELLED, cases_csv
from services.reports.cells import safe_cell
from services.reports.labels import label

REFERENCE = Path(__file__).resolve().parents[2] / "schemas" / "reference"


def _codes(name: str) -> list[str]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8") as file:
        return sorted({row["code"] for row in csv.DictReader(file)})


# -- the implementation before issue 8, verbatim


def _reference_values(row: dict[str, Any], lang: str) -> list[Any]:
    values = []
    for column, _ in COLUMNS:
        value = row.get(column)
        if column == "agencies" and isinstance(value, tuple | list):
            value = " ".join(value)
        elif column in LABELLED and value:
            value = f"{value} - {label(LABELLED[column], value, lang)}"
        values.append(safe_cell(value))
    return values


def _reference_headers(lang: str) -> list[str]:
    index = 1 if lang == "en" else 0
    return [names[index] for _, names in COLUMNS]


def reference_cases_csv(rows: Sequence[dict[str, Any]], lang: str = "vi") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_reference_headers(lang))
    for row in rows:
        values = _reference_values(row, lang)
        writer.writerow([v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# -- rows like the store's, and odd ones

STATUSES = ["stub", "tip", "open", "inspected", "violation_confirmed", "penalized", "referred", "closed"]
BUCKETS = ["banned_smuggled", "trade_tax_fraud", "counterfeit_ip"]
AGENCIES = ["qltt", "customs", "tax", "police", "ipvn"]
DANGEROUS = ["=SUM(A1:A9)", "+84 987 654 321", "-5", "@cmd", "\tx", "\rx", "=", "'=already", ""]
ZONES = [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-5, minutes=-30))]


def sample_rows(count: int, seed: int = 8, odd: bool = False) -> list[dict[str, Any]]:
    """Export rows as the store gives them; `odd` mixes in None, dangerous text, unknown codes, other
    types and zones (and missing keys), the corners the output must keep."""
    rng = random.Random(seed)
    provinces, categories = _codes("provinces"), _codes("categories")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        first = start + timedelta(seconds=rng.randrange(60 * 86400 * 10), microseconds=rng.randrange(10**6))
        agencies = rng.sample(AGENCIES, rng.randint(1, 3))
        row: dict[str, Any] = {
            "case_id": f"VN-2025-{agencies[0].upper()}-{i:05d}",
            "title": rng.choice(["Bán son môi giả trên Shopee", "Buôn lậu thuốc lá", "Nội dung: hàng nhái"]),
            "status": rng.choice(STATUSES),
            "opened_by": agencies[0],
            "agencies": tuple(sorted(agencies)),
            "province_code": rng.choice(provinces),
            "current_province_code": rng.choice(provinces),
            "category": rng.choice(categories),
            "bucket": rng.choice(BUCKETS),
            "platform": rng.choice(["shopee", "tiktok", "lazada", None]),
            "channel": rng.choice(["livestream", "shop", None]),
            "goods": rng.choice(["son môi, nước hoa", "thuốc lá điếu", None]),
            "total_fines_vnd": rng.choice([0, 15_000_000, 250_000_000, rng.randrange(10**10)]),
            "goods_value_vnd": rng.choice([0, rng.randrange(10**11)]),
            "first_event_at": first,
            "last_event_at": first + timedelta(days=rng.randrange(400), minutes=rng.randrange(1440)),
            "event_count": rng.randint(1, 40),
        }
        if odd:
            for column, _ in COLUMNS:
                roll = rng.random()
                if roll < 0.08:
                    row[column] = None
                elif roll < 0.16:
                    row[column] = rng.choice(DANGEROUS)
                elif roll < 0.19:
                    row.pop(column, None)
                elif roll < 0.22:
                    row[column] = rng.choice([0, -3, 1.5, True, False, 7, "0", "99", "unknown_code"])
                elif roll < 0.26 and column.endswith("_at"):
                    moment = first.astimezone(rng.choice(ZONES))
                    row[column] = rng.choice([moment, moment.replace(tzinfo=None)])
                elif roll < 0.28 and column == "agencies":
                    row[column] = rng.choice([("=qltt", "tax"), (), ("-police",), ["qltt", "tax"]])
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = sample_rows(args.rows)
    for name, build in (("before", reference_cases_csv), ("after", cases_csv)):
        for lang in ("vi", "en"):
            build(rows[:100], lang)  # warm caches (reference data, labels)
            best = min(_timed(build, rows, lang) for _ in range(args.repeat))
            print(
                f"{name:6} {lang}: {args.rows} rows in {best * 1e3:.1f} ms (best of {args.repeat}) "
                f"= {args.rows / best:,.0f} rows/s, {best / args.rows * 1e6:.1f} µs/row"
            )
    assert cases_csv(rows) == reference_cases_csv(rows)


def _timed(build: Any, rows: list[dict[str, Any]], lang: str) -> float:
    start = time.perf_counter()
    build(rows, lang)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
