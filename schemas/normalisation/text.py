"""Vietnamese text folded for loose comparison: no diacritics, đ as d, lower case, single spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9 ]")
PLACEHOLDER_WORDS = frozenset(
    {
        "",
        "0",
        "x",
        "na",
        "n a",
        "none",
        "null",
        "nil",
        "khong",
        "khong co",
        "khong ro",
        "chua co",
        "chua ro",
        "chua xac dinh",
        "khong xac dinh",
        "unknown",
        "test",
    }
)
"""Folded texts that clerks type into a field when they know nothing ("N/A", "không có", "chưa rõ")."""


def fold(text: str) -> str:
    """'Thành phố Hồ Chí Minh' → 'thanh pho ho chi minh'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.lower()).strip()


def is_placeholder(text: str) -> bool:
    """Whether a value says 'unknown' rather than identifying anything ('N/A', 'không có', '---')."""
    return names_nothing(words_of(fold(text)))


def words_of(folded: str) -> list[str]:
    """The words of a folded text, anything but letters and digits read as a space."""
    return _NOT_WORD.sub(" ", folded).split()


def names_nothing(words: list[str]) -> bool:
    """`is_placeholder` over a text's words (for a caller that has them already)."""
    return " ".join(words) in PLACEHOLDER_WORDS
