"""How often things happen in the simulated traffic, and where each figure comes from.

- Provinces: weighted by population (population.csv: GSO average population 2023, thousand people,
  rounded, for the 63 units in force until 2025-06-30; confidence S, figures to be checked against the
  yearbook). A case dated from 2025-07-01 carries the code of the merged unit the old one belongs to.
- Categories: the three BCĐ 389 buckets in the proportions of its 2025 report (123,513 cases: 9,404
  banned/smuggled, 109,180 trade/tax fraud, 4,929 counterfeit/IP); the split inside a bucket is our
  assumption (QLTT sub-type shares), stated in CATEGORY_SHARES.
- Agencies per category and platforms: assumptions from the seed documents (QLTT handles most trade
  fraud, customs smuggling, tax tax cases, the IP office rights holders' complaints).
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Generic, TypeVar

T = TypeVar("T")

BUCKET_CASES_2025 = {"banned_smuggled": 9_404, "trade_tax_fraud": 109_180, "counterfeit_ip": 4_929}
"""BCĐ 389, all forces, 2025 (shared/reference/README.md, confidence C)."""

CATEGORY_SHARES = {
    "banned_smuggled": {"smuggled": 0.55, "banned": 0.30, "customs_smuggling": 0.15},
    "trade_tax_fraud": {
        "unknown_origin": 0.34,
        "business_conditions": 0.14,
        "tax_evasion": 0.14,
        "food_safety": 0.12,
        "price": 0.08,
        "expired_goods": 0.06,
        "tax_misdeclaration": 0.06,
        "ecommerce_not_notified": 0.04,
        "ecommerce_not_registered": 0.02,
    },
    "counterfeit_ip": {"counterfeit": 0.62, "ip_infringement": 0.28, "counterfeit_labels": 0.10},
}

AGENCY_SHARES = {
    "smuggled": {"qltt": 0.6, "customs": 0.3, "police": 0.1},
    "banned": {"qltt": 0.45, "police": 0.35, "customs": 0.2},
    "customs_smuggling": {"customs": 1.0},
    "counterfeit": {"qltt": 0.65, "customs": 0.2, "police": 0.15},
    "counterfeit_labels": {"qltt": 0.7, "police": 0.3},
    "ip_infringement": {"ipvn": 0.6, "qltt": 0.4},
    "tax_evasion": {"tax": 1.0},
    "tax_misdeclaration": {"tax": 1.0},
    "food_safety": {"qltt": 0.9, "police": 0.1},
}
"""Any other category is QLTT's."""

PLATFORM_SHARES = {
    "shopee": 0.24,
    "tiktok": 0.22,
    "facebook": 0.22,
    "lazada": 0.09,
    "zalo": 0.09,
    "website": 0.06,
    "tiki": 0.03,
    "sendo": 0.02,
    "instagram": 0.015,
    "telegram": 0.01,
    "youtube": 0.005,
}


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Values with cumulative weights: one draw is one random() and a bisect, cheap in the hot loop."""

    values: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[T, float]) -> Weighted[T]:
        return cls(tuple(weights), tuple(itertools.accumulate(weights.values())))

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def share(self, value: T) -> float:
        index = self.values.index(value)
        previous = self.cumulative[index - 1] if index else 0.0
        return (self.cumulative[index] - previous) / self.cumulative[-1]


@cache
def province_weights() -> Weighted[str]:
    """The 63 pre-2025 province codes weighted by population."""
    text = resources.files(__package__).joinpath("population.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return Weighted.of({row["code"]: float(row["population_thousands"]) for row in rows})


@cache
def category_weights() -> Weighted[str]:
    """Categories in BCĐ 389's 2025 bucket proportions."""
    return Weighted.of(
        {
            code: BUCKET_CASES_2025[bucket] * share
            for bucket, shares in CATEGORY_SHARES.items()
            for code, share in shares.items()
        }
    )


@cache
def agency_weights(category: str) -> Weighted[str]:
    return Weighted.of(AGENCY_SHARES.get(category, {"qltt": 1.0}))


@cache
def platform_weights() -> Weighted[str]:
    return Weighted.of(PLATFORM_SHARES)


def zipf_weights(count: int, exponent: float = 1.3, offset: int = 50) -> Weighted[int]:
    """Indexes 0..count-1 with shifted Zipf weights (k + offset)^-exponent: repeat offenders turn up in
    dozens of cases, most sellers in one or none, and no single seller dominates (top ≈ 0.6%)."""
    return Weighted.of({index: 1.0 / (index + offset) ** exponent for index in range(count)})


def pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[int(rng.random() * len(values))]
