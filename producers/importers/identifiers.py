"""Seller identifiers as spreadsheets mangle them: phones with or without +84, tax codes without leading 0."""

from __future__ import annotations

import re

from schemas.normalisation.phone import phone_key

_SEPARATORS = re.compile(r"[\s.\-()/]")


class IdentifierError(ValueError):
    """The text is not a Vietnamese phone number or tax code."""


def parse_phone(value: object) -> str:
    """E.164 (+84...) from "0912 345 678", "+84 912 345 678", "84912345678" or 912345678 (Excel ate the 0).

    The one phone rule (schemas/normalisation/phone.phone_key, the linker's) reads it, so an imported
    number is exactly the key the linker and the seller search will use; here only Vietnamese numbers pass.
    """
    key = phone_key(str(value))
    if key is None or not key.startswith("+84"):
        raise IdentifierError(
            f"không phải số điện thoại Việt Nam: {value!r} "
            "(not a Vietnamese phone number: di động 0xxx xxx xxx, cố định 02x)"
        )
    return key


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
