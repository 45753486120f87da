"""Seller names folded for suggestions only: many people and shops share a name."""

from __future__ import annotations

import re

from schemas.normalisation.text import fold, is_placeholder

_LEGAL_FORMS = re.compile(
    r"\b(cong ty|cty|tnhh|co phan|cp|mtv|mot thanh vien|dntn|doanh nghiep tu nhan|ho kinh doanh|hkd)\b"
)
_PUNCTUATION = re.compile(r"[^a-z0-9 ]")


def name_key(raw: str) -> str | None:
    """'Công ty TNHH Thời Trang Minh Anh' → 'thoi trang minh anh'; None for placeholders."""
    if is_placeholder(raw):
        return None
    words = _PUNCTUATION.sub(" ", _LEGAL_FORMS.sub(" ", fold(raw))).split()
    return " ".join(words) if words and len("".join(words)) >= 3 else None
