"""A violation as units word it → its category code, by the phrases of the legal-basis vocabulary it contains.

Reports write the violation in their own words ("Kinh doanh hàng giả mạo nhãn hiệu", "Hàng hóa không rõ
nguồn gốc xuất xứ", "Buôn bán hàng hóa giả"), rarely the category's exact name. A cell is folded into
words ("hàng hóa" read as "hàng", so "hàng hóa giả" is "hàng giả"), and every phrase of every category
(mappings/vocabulary.toml, the categories' Vietnamese names in schemas/reference/categories.csv and the
wording of the decree articles) is looked for as a run of those words. A phrase inside a longer phrase
of the same place counts for the longer one ("hàng nhập lậu" over "nhập lậu"); two categories found at
different places are an ambiguity, reported as such rather than guessed: a row tells one violation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from producers.importers.mapping import vocabulary
from producers.importers.text import fold, key_of
from schemas.reference import categories_on

_DAYS = (date(2019, 1, 1), date(2025, 1, 1), date(2027, 1, 1))
_SAME = {"hang hoa": "hang", "hh": "hang", "san pham": "hang"}
"""Words units use interchangeably for goods, read as one so phrases need not list each."""
_PRICE = re.compile(r"\bgiá\b")
"""'giá' (price) and 'giả' (fake) fold alike; written with its accent, the price word is kept apart."""


@dataclass(frozen=True)
class Found:
    """A category phrase found in a cell: which words it covers."""

    code: str
    start: int
    end: int

    def inside(self, other: Found) -> bool:
        return (
            other.start <= self.start
            and self.end <= other.end
            and (self.start, self.end)
            != (
                other.start,
                other.end,
            )
        )


class AmbiguousCategory(ValueError):
    """The cell names more than one violation."""


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a cell, with the interchangeable words for goods made one."""
    marked = _PRICE.sub(" giaprice ", unicodedata.normalize("NFC", text).lower())
    folded = f" {key_of(marked)} "
    for written, same in _SAME.items():
        folded = folded.replace(f" {written} ", f" {same} ")
    return tuple(folded.split())


@cache
def phrases() -> dict[tuple[str, ...], str]:
    """Every phrase of the vocabulary as words → category code."""
    found: dict[tuple[str, ...], str] = {}
    for day in _DAYS:
        for row in categories_on(day):
            if row.code != "unclassified":
                found.setdefault(words_of(row.name_vi), row.code)
                found.setdefault(words_of(fold(row.name_vi)), row.code)
    for code, spellings in vocabulary()["categories"].items():
        for spelling in spellings:
            found[words_of(spelling)] = code
            found[words_of(fold(spelling))] = code  # as typed without diacritics
    return {words: code for words, code in found.items() if words}


def _occurrences(words: tuple[str, ...]) -> list[Found]:
    found: list[Found] = []
    for phrase, code in phrases().items():
        size = len(phrase)
        found.extend(
            Found(code, i, i + size) for i in range(len(words) - size + 1) if words[i : i + size] == phrase
        )
    return found


def categories_in(text: str) -> list[str]:
    """The categories a cell names, most words first; empty when none, several when it is ambiguous."""
    words = words_of(text)
    exact = phrases().get(words)
    if exact is not None:
        return [exact]
    found = _occurrences(words)
    outermost = [f for f in found if not any(f.inside(other) for other in found)]
    by_code: dict[str, int] = {}
    for f in outermost:
        by_code[f.code] = max(by_code.get(f.code, 0), f.end - f.start)
    return sorted(by_code, key=lambda code: (-by_code[code], code))
