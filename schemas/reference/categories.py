"""Violation categories, versioned by legal basis and effective date, in the BCĐ 389 reporting buckets.

A code keeps its meaning across a change of decree (a new row with the new legal basis); a code whose
legal basis lapsed without a like-for-like successor ends and names its replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from schemas.errors import ContractViolation
from schemas.reference.datasets import (
    Confidence,
    Dated,
    by_code,
    confidence,
    in_force,
    local_date,
    optional_date,
    optional_text,
    read_rows,
    rows_of,
)


class Bucket(StrEnum):
    """The three groups BCĐ 389 reports every case in."""

    BANNED_SMUGGLED = "banned_smuggled"
    TRADE_TAX_FRAUD = "trade_tax_fraud"
    COUNTERFEIT_IP = "counterfeit_ip"


@dataclass(frozen=True)
class ViolationCategory(Dated):
    name_vi: str
    name_en: str
    bucket: Bucket | None
    qltt_subtype: str | None
    instrument: str | None
    article: str | None
    clause: str | None
    confidence: Confidence | None
    replaced_by: str | None
    source: str


@cache
def _history() -> dict[str, tuple[ViolationCategory, ...]]:
    return by_code(
        ViolationCategory(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            bucket=Bucket(row["bucket"]) if row["bucket"] else None,
            qltt_subtype=optional_text(row["qltt_subtype"]),
            instrument=optional_text(row["instrument"]),
            article=optional_text(row["article"]),
            clause=optional_text(row["clause"]),
            confidence=confidence(row["confidence"]),
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            replaced_by=optional_text(row["replaced_by"]),
            source=row["source"],
        )
        for row in read_rows("categories.csv")
    )


def category(code: str, on: date) -> ViolationCategory:
    """The category with its legal basis in force on a date; ContractViolation if unknown or not in force."""
    day = local_date(on)
    rows = rows_of(_history(), code, "violation category")
    row = in_force(rows, day)
    if row is not None:
        return row
    if rows[-1].valid_to is not None and day > rows[-1].valid_to:
        last = rows[-1]
        replacement = f"; use {last.replaced_by!r}" if last.replaced_by else ""
        raise ContractViolation(f"category {code!r} expired on {last.valid_to}, before {day}{replacement}")
    raise ContractViolation(f"category {code!r} is not in force on {day} ({rows[0].period()})")


def categories_on(on: date) -> list[ViolationCategory]:
    """Every category in force on a date, by code."""
    day = local_date(on)
    found = (in_force(rows, day) for rows in _history().values())
    return sorted((row for row in found if row is not None), key=lambda c: c.code)


def bucket_of(category: str | ViolationCategory) -> Bucket | None:
    """The BCĐ 389 bucket a category is reported in (None for 'unclassified')."""
    if isinstance(category, ViolationCategory):
        return category.bucket
    return rows_of(_history(), category, "violation category")[-1].bucket


def category_history(code: str) -> tuple[ViolationCategory, ...]:
    """Every legal basis a category has had, oldest first."""
    return rows_of(_history(), code, "violation category")
