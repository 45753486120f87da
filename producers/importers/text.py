"""Vietnamese text as people type it: with or without diacritics, any case, stray punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def fold(text: str) -> str:
    """Lower case without diacritics: "Số quyết định" and "So quyet dinh" both become "so quyet dinh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=65_536)
def key_of(text: str) -> str:
    """The comparable form of a header or a vocabulary word: folded, words joined by single spaces."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


@lru_cache(maxsize=4_096)
def header_key(text: str) -> str:
    """A header's comparable form without its notes: "Số tiền phạt (đồng)" → "so tien phat"."""
    return key_of(_BRACKETS.sub(" ", text))


def cell_text(value: Any) -> str:
    """A cell as trimmed text with inner whitespace collapsed; None and whitespace become ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
