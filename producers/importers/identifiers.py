"""Seller identifiers as spreadsheets mangle them: phones with or without +84, tax codes without leading 0."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")
_MOBILE_PREFIXES = "35789"


class IdentifierError(ValueError):
    """The text is not a Vietnamese phone number or tax code."""


def parse_phone(value: object) -> str:
    """E.164 (+84...) from "0912 345 678", "+84 912 345 678", "84912345678" or 912345678 (Excel ate the 0)."""
    digits = _SEPARATORS.sub("", str(value).strip())
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 9 and digits[0] in _MOBILE_PREFIXES:
        national = digits
    else:
        raise IdentifierError(f"không phải số điện thoại Việt Nam: {value!r} (not a Vietnamese phone number)")
    national = national.lstrip("0")
    mobile = len(national) == 9 and national[0] in _MOBILE_PREFIXES
    landline = len(national) == 10 and national[0] == "2"
    if not national.isdigit() or not (mobile or landline):
        raise IdentifierError(
            f"không phải số điện thoại Việt Nam: {value!r} "
            "(not a Vietnamese phone number: di động 0xxx xxx xxx, cố định 02x)"
        )
    return f"+84{national}"


def parse_tax_code(value: object) -> str:
    """10 digits, or 10 digits, dash, 3 for a branch; restores the leading 0 a number cell dropped."""
    digits = _SEPARATORS.sub("", str(value).strip())
    if not digits.isdigit():
        raise IdentifierError(f"không phải mã số thuế: {value!r} (not a tax code)")
    if len(digits) in (9, 12):  # a number cell loses the leading zero of codes like 0101234567
        digits = "0" + digits
    if len(digits) == 10:
        return digits
    if len(digits) == 13:
        return f"{digits[:10]}-{digits[10:]}"
    raise IdentifierError(
        f"không phải mã số thuế: {value!r} (not a tax code: 10 chữ số, hoặc 10-3 cho chi nhánh)"
    )
