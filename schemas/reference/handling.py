"""Handling codes for Distribution.handling: what a recipient may do with an event (SIENA H0-H3)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from schemas.errors import ContractViolation
from schemas.reference.datasets import Dated, optional_date, read_rows


@dataclass(frozen=True)
class HandlingCode(Dated):
    name_vi: str
    name_en: str
    siena_equivalent: str
    source: str


@cache
def handling_codes() -> dict[str, HandlingCode]:
    """Every handling code by code."""
    return {
        row["code"]: HandlingCode(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            siena_equivalent=row["siena_equivalent"],
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            source=row["source"],
        )
        for row in read_rows("handling_codes.csv")
    }


def handling_code(code: str) -> HandlingCode:
    """The handling code, or ContractViolation naming the ones that exist."""
    found = handling_codes().get(code)
    if found is None:
        known = ", ".join(sorted(handling_codes()))
        raise ContractViolation(f"unknown handling code {code!r} (one of {known})")
    return found
