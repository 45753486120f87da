"""Enforcement agencies and their names over time (the 2025 restructuring renamed most of them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    read_rows,
    rows_of,
)


@dataclass(frozen=True)
class Agency(Dated):
    name_vi: str
    name_en: str
    publishes: bool
    confidence: Confidence | None
    source: str


@cache
def _history() -> dict[str, tuple[Agency, ...]]:
    return by_code(
        Agency(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            publishes=row["publishes"] == "true",
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            confidence=confidence(row["confidence"]),
            source=row["source"],
        )
        for row in read_rows("agencies.csv")
    )


def agency(code: str, on: date | None = None) -> Agency:
    """The agency with this code as named on a date (its latest name without one)."""
    rows = rows_of(_history(), code, "agency")
    if on is None:
        return rows[-1]
    row = in_force(rows, local_date(on))
    if row is None:
        raise ContractViolation(f"agency {code!r} did not exist on {local_date(on)}")
    return row


def agencies(on: date | None = None) -> dict[str, Agency]:
    """Every agency by code, as on a date (latest names without one)."""
    day = local_date(on) if on is not None else None
    found = {code: rows[-1] if day is None else in_force(rows, day) for code, rows in _history().items()}
    return {code: row for code, row in found.items() if row is not None}


def publishing_agencies(on: date | None = None) -> frozenset[str]:
    """Agencies that publish case events (each has its own topic)."""
    return frozenset(code for code, row in agencies(on).items() if row.publishes)


def agency_history(code: str) -> tuple[Agency, ...]:
    """Every name an agency code has had, oldest first."""
    return rows_of(_history(), code, "agency")
