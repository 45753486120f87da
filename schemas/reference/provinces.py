"""Provinces, dated: the 63 units until 2025-06-30, the 34 from 2025-07-01, and how codes moved.

A code means the unit in force on the event's date: seven codes were reused by a merged unit that
took another province's name (24 is Bắc Giang before 2025-07-01 and the new Bắc Ninh after).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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


@dataclass(frozen=True)
class Province(Dated):
    name: str
    unit_type: str
    successor_code: str | None
    named_after_code: str | None
    confidence: Confidence | None
    source: str


@cache
def _history() -> dict[str, tuple[Province, ...]]:
    return by_code(
        Province(
            code=row["code"],
            name=row["name"],
            unit_type=row["unit_type"],
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            successor_code=optional_text(row["successor_code"]),
            named_after_code=optional_text(row["named_after_code"]),
            confidence=confidence(row["confidence"]),
            source=row["source"],
        )
        for row in read_rows("provinces.csv")
    )


def province_on(code: str, on: date) -> Province:
    """The unit a province code meant on a date; ContractViolation when it meant none."""
    day = local_date(on)
    rows = rows_of(_history(), code, "province code")
    row = in_force(rows, day)
    if row is None:
        raise ContractViolation(f"province code {code!r} is not in force on {day} ({_lifetime(rows)})")
    return row


def current_province(code: str, on: date) -> Province:
    """The unit in force today that a code written on `on` now belongs to (e.g. 77 → 79 HCMC)."""
    unit = province_on(code, on)
    while unit.valid_to is not None:
        if unit.successor_code is None:
            raise ContractViolation(f"province {unit.code} {unit.name} ended without a successor")
        unit = province_on(unit.successor_code, unit.valid_to + timedelta(days=1))
    return unit


def provinces_on(on: date) -> list[Province]:
    """Every unit in force on a date, by code."""
    day = local_date(on)
    found = (in_force(rows, day) for rows in _history().values())
    return sorted((row for row in found if row is not None), key=lambda p: p.code)


def reused_codes() -> frozenset[str]:
    """Codes a merged unit kept although it took the name of a province with another code."""
    return frozenset(
        row.code
        for rows in _history().values()
        for row in rows
        if row.named_after_code is not None and row.named_after_code != row.code
    )


def retired_codes() -> frozenset[str]:
    """Codes that no unit carries any more."""
    return frozenset(code for code, rows in _history().items() if rows[-1].valid_to is not None)


def province_history(code: str) -> tuple[Province, ...]:
    """Every unit a code has meant, oldest first."""
    return rows_of(_history(), code, "province code")


def _lifetime(rows: tuple[Province, ...]) -> str:
    last = rows[-1]
    meaning = "; ".join(f"{row.name} {row.period()}" for row in rows)
    if last.valid_to is not None and last.successor_code is not None:
        successor = province_on(last.successor_code, last.valid_to + timedelta(days=1))
        meaning += f"; then part of {successor.code} {successor.name}"
    return meaning
