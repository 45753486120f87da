"""Fines within the legal ranges of each violation category, scaled by the value of the goods.

Maxima for an individual (an organisation pays double, up to the organisation maximum):
- Decree 98/2020/NĐ-CP: counterfeit and banned goods VND 200M / 400M; commerce and consumer
  protection (unknown origin, expired goods, business conditions, prices, food sold as trade) 100M / 200M;
  smuggled goods Art. 15 by goods value, 0.5–1M under 3M up to 40–50M from 100M, doubled when aggravated
  (the steps between are interpolated, confidence U); e-commerce website not notified 10–20M, e-commerce
  service not registered 20–30M (shared/reference/README.md).
- IP (Decree 99/2013, amended): up to 250M / 500M (confidence U). Customs smuggling (Decree 128/2020):
  the Art. 15 ladder (confidence U). Tax (Decree 125/2020): evasion 1–3× the tax evaded, misdeclaration
  20% of the tax under-declared, with no fixed maximum.
"""

from __future__ import annotations

import random

MILLION = 1_000_000
ORGANISATION_FACTOR = 2

INDIVIDUAL_MAXIMUM = {
    "counterfeit": 200 * MILLION,
    "counterfeit_labels": 200 * MILLION,
    "banned": 200 * MILLION,
    "ip_infringement": 250 * MILLION,
    "unknown_origin": 100 * MILLION,
    "expired_goods": 100 * MILLION,
    "business_conditions": 100 * MILLION,
    "price": 100 * MILLION,
    "food_safety": 100 * MILLION,
    "smuggled": 100 * MILLION,  # the ladder's top, 50M, doubled when aggravated
    "customs_smuggling": 100 * MILLION,
    "ecommerce_not_notified": 20 * MILLION,
    "ecommerce_not_registered": 30 * MILLION,
    "ecommerce_violation": 30 * MILLION,
}
"""Categories absent here (tax) have fines proportional to the tax due, without a fixed maximum."""

SMUGGLED_LADDER = (
    (3 * MILLION, 500_000, 1 * MILLION),
    (5 * MILLION, 1 * MILLION, 3 * MILLION),
    (10 * MILLION, 3 * MILLION, 7 * MILLION),
    (20 * MILLION, 7 * MILLION, 15 * MILLION),
    (30 * MILLION, 15 * MILLION, 25 * MILLION),
    (50 * MILLION, 25 * MILLION, 35 * MILLION),
    (100 * MILLION, 35 * MILLION, 40 * MILLION),
)
"""(goods value below, fine from, fine to); from 100M: 40–50M."""
_FIXED_RANGES = {
    "ecommerce_not_notified": (10 * MILLION, 20 * MILLION),
    "ecommerce_not_registered": (20 * MILLION, 30 * MILLION),
    "ecommerce_violation": (10 * MILLION, 30 * MILLION),
}


def maximum_fine(category: str, organisation: bool) -> int | None:
    """The most a decision may fine in this category, None where the law sets no fixed maximum."""
    individual = INDIVIDUAL_MAXIMUM.get(category)
    if individual is None:
        return None
    return individual * ORGANISATION_FACTOR if organisation else individual


def fine_for(rng: random.Random, category: str, goods_value: int, organisation: bool) -> int:
    """A fine a decision could realistically set, rounded to 500,000 đồng, never above the maximum."""
    factor = ORGANISATION_FACTOR if organisation else 1
    if category in ("smuggled", "customs_smuggling"):
        top = (40 * MILLION, 50 * MILLION)
        low, high = next(((lo, hi) for below, lo, hi in SMUGGLED_LADDER if goods_value < below), top)
        aggravated = 2 if rng.random() < 0.1 else 1
        amount = rng.uniform(low, high) * factor * aggravated
    elif category in _FIXED_RANGES:
        low, high = _FIXED_RANGES[category]
        amount = rng.uniform(low, high) * factor
    elif category == "tax_evasion":
        amount = goods_value * 0.1 * rng.uniform(1.0, 3.0)  # tax evaded ≈ 10% of turnover, fined 1-3×
    elif category == "tax_misdeclaration":
        amount = goods_value * 0.1 * 0.2
    else:
        amount = min(goods_value * rng.uniform(0.2, 1.0), INDIVIDUAL_MAXIMUM.get(category, 100 * MILLION))
        amount = max(amount, 1 * MILLION) * factor
    ceiling = maximum_fine(category, organisation)
    rounded = max(500_000, int(amount) // 500_000 * 500_000)
    return min(rounded, ceiling) if ceiling is not None else rounded
