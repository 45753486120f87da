"""The legal basis a producer cites for a category on a date, from the dated reference data.

The reference rows name the instrument and, where verified, the article (first of a range: "9-11" → 9).
Where a row has no article yet, PROVISIONAL_ARTICLES stands in so the contract's required citation can be
filled; those numbers are unverified (confidence U) and must be replaced when the reference data has them.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from schemas.events import LegalBasis
from schemas.reference import category

PROVISIONAL_ARTICLES = {
    "business_conditions": "7",
    "price": "13",
    "food_safety": "8",
    "customs_smuggling": "14",
    "ecommerce_violation": "1",
}


def citation(code: str, on: date) -> LegalBasis:
    """Instrument and article of a category in force on a date (ContractViolation when it is not)."""
    row = category(code, on)
    return _citation(code, row.instrument or "", row.article or "")


@cache
def _citation(code: str, instrument: str, article: str) -> LegalBasis:
    first = re.match(r"\d+", article)
    number = first.group() if first else PROVISIONAL_ARTICLES.get(code, "1")
    return LegalBasis(instrument=instrument, article=number)
