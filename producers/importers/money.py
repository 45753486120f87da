"""Amounts in đồng as spreadsheets hold them: "1.500.000 đ", "1,5 triệu", "2 tỷ 300 triệu", 1500000."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from producers.importers.text import fold

_MULTIPLIERS = {
    "k": 1_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "trieu": 1_000_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
}
_CURRENCY = re.compile(r"(vnd|vn d|dong|d|₫)\.?$")
_PART = re.compile(r"(\d[\d.,]*)\s*(k|nghin|ngan|trieu|tr|ty|ti)?\b\.?")
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


class MoneyError(ValueError):
    """The text is not an amount of đồng."""


def parse_vnd(value: object) -> int:
    """Whole đồng from a number or a written amount; MoneyError says what is wrong with the text."""
    if isinstance(value, bool):
        raise MoneyError("giá trị có/không không phải số tiền (a yes/no value is not an amount)")
    if isinstance(value, int | float):
        return _whole(Decimal(str(value)), str(value))
    text = fold(str(value)).replace("₫", " ").strip()
    text = _CURRENCY.sub("", text).strip()
    if not text:
        raise MoneyError("không có số tiền (no amount)")
    if text.startswith("-"):
        raise MoneyError("số tiền không được âm (an amount cannot be negative)")
    total = Decimal(0)
    position = 0
    for match in _PART.finditer(text):
        if text[position : match.start()].strip():
            break
        total += parse_number(match.group(1)) * _MULTIPLIERS.get(match.group(2) or "", 1)
        position = match.end()
    if position == 0 or text[position:].strip():
        raise MoneyError(
            f"không phải số tiền đồng: {value!r} (not an amount of đồng; ghi 1.500.000 hoặc 1,5 triệu)"
        )
    return _whole(total, str(value))


def parse_number(token: str) -> Decimal:
    """1.500.000 and 1,500,000 group thousands; 1,5 and 1.5 are decimals (as in 1,5 triệu)."""
    token = token.rstrip(".,")
    if _THOUSANDS.match(token):
        return Decimal(re.sub(r"[.,]", "", token))
    if token.count(",") + token.count(".") > 1:
        raise MoneyError(f"không đọc được số {token!r} (cannot read the number)")
    try:
        return Decimal(token.replace(",", "."))
    except InvalidOperation as exc:
        raise MoneyError(f"không đọc được số {token!r} (cannot read the number)") from exc


def _whole(amount: Decimal, original: str) -> int:
    if amount != amount.to_integral_value():
        raise MoneyError(f"{original!r} không phải số đồng nguyên (is not a whole number of đồng)")
    return int(amount)
