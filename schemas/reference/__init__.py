"""Versioned reference data (agencies, ...) shipped with the contract, each file with its source."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str
    name_en: str
    valid_from: date
    valid_to: date | None
    source: str


@cache
def agencies() -> dict[str, Agency]:
    """The publishing agencies by code, read once from agencies.csv."""
    text = resources.files(__package__).joinpath("agencies.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        row["code"]: Agency(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            source=row["source"],
        )
        for row in rows
    }
