"""Loose shapes of the strings the contract carries, so obvious garbage fails at the edge.

Shapes only: whether a code exists on a date is reference data's job (schemas/validation.py).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

AgencyCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,15}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$")]
CategoryCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
PlatformCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
Text = Annotated[str, Field(min_length=1)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2048)]
Vnd = Annotated[int, Field(ge=0, le=2**63 - 1, description="Vietnamese dong, a whole number.")]
KeyedHash = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,31}:[0-9a-f]{64}$",
        description="'<key id>:<HMAC-SHA256 hex>' of a normalised identifier; never the identifier itself.",
    ),
]
TaxCode = Annotated[str, Field(pattern=r"^(\d{10}(-\d{3})?|\d{12})$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def _phone(value: str) -> str:
    """Vietnamese and foreign numbers as people write them: 8-15 digits, an optional +, separators."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise ValueError(f"{value!r} does not look like a phone number")
    return value


PhoneNumber = Annotated[str, AfterValidator(_phone)]
