"""Reading the reference files shipped in this package, and the validity every dated row carries."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeVar

from schemas.errors import ContractViolation

_VIETNAM_OFFSET = timedelta(hours=7)
VIETNAM = timezone(_VIETNAM_OFFSET, "ICT")
"""Dates in the reference data are Vietnamese calendar dates (UTC+7, no daylight saving)."""


class Confidence(StrEnum):
    """How sure we are of a row (see /work/shared/reference/README.md)."""

    CONFIRMED = "C"
    SECONDARY = "S"
    UNCONFIRMED = "U"


@dataclass(frozen=True)
class Dated:
    """A row of a code, in force from valid_from to valid_to, both inclusive; None is open-ended."""

    code: str
    valid_from: date | None
    valid_to: date | None

    def in_force_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def period(self) -> str:
        start = f"from {self.valid_from}" if self.valid_from else "since before the hub's records"
        return f"{start} until {self.valid_to}" if self.valid_to else start


@dataclass(frozen=True)
class Dataset:
    """One entry of manifest.json: a versioned file and where its facts come from."""

    name: str
    file: str
    version: str
    key: str
    description: str
    sources: tuple[str, ...]


D = TypeVar("D", bound=Dated)


def local_date(moment: date) -> date:
    """The Vietnamese calendar date of a moment (a date is taken as already local)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is UTC:  # every stored or decoded time: VIETNAM is a fixed offset, add it (5x less)
            return (moment + _VIETNAM_OFFSET).date()
        if moment.tzinfo is None:
            raise ValueError("a moment without a time zone has no date in Vietnam")
        return moment.astimezone(VIETNAM).date()
    return moment


def read_rows(file: str) -> list[dict[str, str]]:
    """The rows of a CSV file of this package, as text."""
    text = resources.files(__package__).joinpath(file).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def optional_text(text: str) -> str | None:
    return text or None


def confidence(text: str) -> Confidence | None:
    return Confidence(text) if text else None


def by_code(rows: Iterable[D]) -> dict[str, tuple[D, ...]]:
    """Rows grouped by code, oldest first."""
    grouped: dict[str, list[D]] = {}
    for row in rows:
        grouped.setdefault(row.code, []).append(row)
    return {code: tuple(sorted(rs, key=lambda r: r.valid_from or date.min)) for code, rs in grouped.items()}


def rows_of(history: dict[str, tuple[D, ...]], code: str, what: str) -> tuple[D, ...]:
    """Every row of a code, oldest first; ContractViolation naming an unknown code."""
    rows = history.get(code)
    if rows is None:
        raise ContractViolation(f"unknown {what} {code!r}")
    return rows


def in_force(rows: Sequence[D], on: date) -> D | None:
    """The row of a code in force on a date, if any."""
    return next((row for row in rows if row.in_force_on(on)), None)


@cache
def datasets() -> dict[str, Dataset]:
    """The manifest: every reference dataset with its file, version and sources."""
    text = resources.files(__package__).joinpath("manifest.json").read_text(encoding="utf-8")
    return {
        entry["name"]: Dataset(
            name=entry["name"],
            file=entry["file"],
            version=entry["version"],
            key=entry["key"],
            description=entry["description"],
            sources=tuple(entry["sources"]),
        )
        for entry in json.loads(text)["datasets"]
    }
