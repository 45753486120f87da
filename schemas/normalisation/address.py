"""Addresses folded loosely for suggestions only: an address never links sellers by itself.

Couriers' pickup points, markets and office towers are shared by many unrelated sellers, and the same
place is written many ways ('TP.HCM', 'Tp. Hồ Chí Minh', 'thành phố HCM'): folding aims at equal keys
for equal writings, nothing more.
"""

from __future__ import annotations

import re

from schemas.bounds import KEY_MAX_CHARS
from schemas.normalisation.text import fold, names_nothing, words_of

_ABBREVIATIONS = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"\btp\.?\s*hcm\b|\bhcm\b|\bsai gon\b|\bsg\b", "ho chi minh"),
        (r"\btp\.?\s*hn\b|\bhn\b", "ha noi"),
        (r"\btp\b\.?", "thanh pho"),
        (r"\btx\b\.?", "thi xa"),
        (r"\btt\b\.?", "thi tran"),
        (r"\bq\b\.?", "quan"),
        (r"\bp\b\.?", "phuong"),
        (r"\bh\b\.?", "huyen"),
        (r"\bkp\b\.?", "khu pho"),
        (r"\bd\b\.", "duong"),
        (r"\b(hem|kiet|ngach)\b", "ngo"),
        (r"\bso\b", ""),
    ]
]
_STICKY = re.compile(r"\b(q|p)\.?(\d+)\b")  # 'Q1', 'P.5' → 'q 1', 'p 5'


def address_key(raw: str) -> str | None:
    """'Số 45 Lê Lợi, Q.1, TP.HCM' → '45 le loi quan 1 ho chi minh'; None for placeholders or too little."""
    folded = fold(raw)
    words = words_of(folded)
    if names_nothing(words) or len(words) < 2:
        return None
    text = _STICKY.sub(r"\1 \2", folded.replace(",", " , "))
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    words = words_of(text)
    return " ".join(words)[:KEY_MAX_CHARS]  # expanded abbreviations can outgrow the address
