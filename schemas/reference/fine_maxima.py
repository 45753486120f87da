"""The legal maximum of a fine per violation category and offender type, dated by the decree that sets it.

Vietnamese penalty decrees fix one ceiling per field for an individual and, for an organisation, twice
that (Decree 98/2020/NĐ-CP Art. 4). A PenaltyDecided above the ceiling of its violation is a typing
error ("900.000.000" for "90.000.000") that would otherwise be summed into every statistic, so the
contract refuses it. Rows of confidence U are carried for reference but not enforced: refusing a
lawful fine because of a ceiling nobody verified would lose data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache

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
)


class Offender(StrEnum):
    """Who is fined: the decrees set an individual's ceiling and an organisation's (usually 2x)."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class FineMaximum(Dated):
    """The ceiling of one category's fines while one instrument is in force."""

    instrument: str
    articles: frozenset[str]
    """Articles of the instrument whose fines this ceiling bounds ("9-11" → 9, 10, 11)."""
    individual_max_vnd: int
    organisation_max_vnd: int
    maximum_article: str | None
    confidence: Confidence | None
    source: str

    @property
    def enforced(self) -> bool:
        return self.confidence in (Confidence.CONFIRMED, Confidence.SECONDARY)

    def limit(self, offender: Offender) -> int:
        return self.individual_max_vnd if offender is Offender.INDIVIDUAL else self.organisation_max_vnd

    def citation(self) -> str:
        article = f"Điều {self.maximum_article} " if self.maximum_article else ""
        return f"{article}Nghị định {self.instrument}"


def _articles(text: str) -> frozenset[str]:
    found: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(";"))):
        first, _, last = part.partition("-")
        found.update(str(n) for n in range(int(first), int(last or first) + 1))
    return frozenset(found)


@cache
def _history() -> dict[str, tuple[FineMaximum, ...]]:
    return by_code(
        FineMaximum(
            code=row["code"],
            instrument=row["instrument"],
            articles=_articles(row["articles"]),
            individual_max_vnd=int(row["individual_max_vnd"]),
            organisation_max_vnd=int(row["organisation_max_vnd"]),
            maximum_article=optional_text(row["maximum_article"]),
            confidence=confidence(row["confidence"]),
            valid_from=optional_date(row["valid_from"]),
            valid_to=optional_date(row["valid_to"]),
            source=row["source"],
        )
        for row in read_rows("fine_maxima.csv")
    )


def fine_maximum(category: str, on: date) -> FineMaximum | None:
    """The enforced ceiling of a category's fines on a date; None when no verified ceiling applies."""
    row = in_force(_history().get(category, ()), local_date(on))
    return row if row is not None and row.enforced else None


def fine_maxima_on(on: date) -> list[FineMaximum]:
    """Every enforced ceiling in force on a date, by category."""
    day = local_date(on)
    rows = (in_force(history, day) for history in _history().values())
    return sorted((r for r in rows if r is not None and r.enforced), key=lambda r: r.code)


_NOT_IN_KEY = re.compile(r"[^0-9a-z/]")


@lru_cache(maxsize=4096)
def _instrument_key(instrument: str) -> str:
    return _NOT_IN_KEY.sub("", instrument.lower().replace("đ", "d"))


@lru_cache(maxsize=4096)
def _enforced_by_instrument(day: date) -> dict[str, tuple[FineMaximum, ...]]:
    """The enforced ceilings in force on a local date, by instrument key; remembered per day (the
    materializer asks for every PenaltyDecided, the bundled data never changes in a process)."""
    grouped: dict[str, list[FineMaximum]] = {}
    for row in fine_maxima_on(day):
        grouped.setdefault(_instrument_key(row.instrument), []).append(row)
    return {key: tuple(rows) for key, rows in grouped.items()}


@lru_cache(maxsize=65536)
def maximum_for_citation(instrument: str, article: str, on: date) -> FineMaximum | None:
    """The ceiling a legal basis falls under: the category whose articles include the cited one, else the
    highest ceiling of that instrument (a citation of an article no category names is bounded only by the
    instrument); None when the instrument has no enforced ceiling on that date.

    Remembered (a pure function of its arguments over data fixed for the process; ~10% of the
    consumer's decode before it was)."""
    number = re.match(r"\d+", article)
    rows = _enforced_by_instrument(local_date(on)).get(_instrument_key(instrument), ())
    exact = [r for r in rows if number and number.group() in r.articles]
    candidates = exact or rows
    return max(candidates, key=lambda r: (r.organisation_max_vnd, r.code), default=None)
