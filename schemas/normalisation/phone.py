"""Vietnamese phone numbers as clerks write them → E.164 (+84…); service numbers and placeholders → None."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/_]")
RENUMBERED_2018 = {
    **{f"16{d}": f"3{d}" for d in "23456789"},  # Viettel 0162-0169 → 032-039
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",  # MobiFone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",  # VinaPhone
    "186": "56", "188": "58", "199": "59",  # Vietnamobile, Gmobile
}  # fmt: skip
"""11-digit mobile numbers moved to 10 digits on 2018-09-15: old records still carry 0162…, 0123…"""
_MOBILE_FIRST = "35789"
_SEQUENCES = frozenset({"123456789", "987654321", "1234567890", "0123456789"})


def phone_key(raw: str) -> str | None:
    """'0912 345 678', '+84 912.345.678', '84912345678', '(028) 3800 1234', '01623456789' → '+84…'.

    None for what identifies nobody: 1900/1800 hotlines and short codes, repeated digits, foreign sequences.
    Foreign numbers (written with + or 00) keep their country code.
    """
    digits = _SEPARATORS.sub("", raw.strip())
    international = digits.startswith(("+", "00"))
    digits = digits.removeprefix("+") if digits.startswith("+") else digits
    digits = digits[2:] if international and digits.startswith("00") else digits
    if not digits.isdigit():
        return None
    if international and not digits.startswith("84"):
        return None if _placeholder(digits) or not 8 <= len(digits) <= 15 else f"+{digits}"
    national = _national(digits, international)
    if national is None or _repeated(national):
        return None
    return f"+84{national}"


def _national(digits: str, international: bool) -> str | None:
    """The significant number after +84 or the trunk 0, renumbered when it is a pre-2018 mobile."""
    if international or (digits.startswith("84") and len(digits) in (11, 12)):
        national = digits[2:].removeprefix("0")  # "+84 0912…" is written with the trunk 0 more often than not
    elif digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 9 and digits[0] in _MOBILE_FIRST:  # a spreadsheet ate the leading 0
        national = digits
    else:
        return None
    if len(national) == 10 and national[:3] in RENUMBERED_2018:
        national = RENUMBERED_2018[national[:3]] + national[3:]
    mobile = len(national) == 9 and national[0] in _MOBILE_FIRST
    landline = len(national) == 10 and national[0] == "2"
    return national if mobile or landline else None


def _repeated(number: str) -> bool:
    """0900000000, 0999999999: one digit repeated after the prefix is a form's filler, not a subscriber."""
    return len(set(number[1:])) <= 1


def _placeholder(number: str) -> bool:
    """A foreign number that is filler. A Vietnamese number that is a valid mobile or landline is kept even
    when its digits run in sequence: 0987654321 is a real Viettel number (issue 18), and 0123456789 is
    refused anyway because 012 is no longer a mobile prefix."""
    return _repeated(number) or number in _SEQUENCES or number[1:] in _SEQUENCES
