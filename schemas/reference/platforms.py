"""Online platforms named in cases and the sales channels (SalesChannel labels) each offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from schemas.errors import ContractViolation
from schemas.reference.datasets import Dated, in_force, local_date, optional_date, read_rows


@dataclass(frozen=True)
class Platform(Dated):
    name: str
    kind: str
    channels: frozenset[str]
    operator: str
    source: str


@dataclass(frozen=True)
class Channel(Dated):
    name_vi: str
    name_en: str
    online: bool
    source: str


@cache
def platforms() -> dict[str, Platform]:
    """Every platform by code."""
    return {
        row["code"]: Platform(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            channels=frozenset(row["channels"].split(";")),
            operator=row["operator"],
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            source=row["source"],
        )
        for row in read_rows("platforms.csv")
    }


@cache
def channels() -> dict[str, Channel]:
    """Every sales channel by its SalesChannel symbol."""
    return {
        row["code"]: Channel(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            online=row["online"] == "true",
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            source=row["source"],
        )
        for row in read_rows("channels.csv")
    }


def platform(code: str, on: date | None = None) -> Platform:
    """The platform with this code (operating on the date, when one is given)."""
    found = platforms().get(code)
    if found is None:
        raise ContractViolation(f"unknown platform {code!r}")
    if on is not None and in_force((found,), local_date(on)) is None:
        raise ContractViolation(f"platform {code!r} is not operating on {local_date(on)} ({found.period()})")
    return found


def channel(code: str) -> Channel:
    """Labels of a SalesChannel symbol."""
    found = channels().get(code)
    if found is None:
        raise ContractViolation(f"unknown sales channel {code!r}")
    return found
