"""Loose shapes of the strings the contract carries, so obvious garbage fails at the edge.

Shapes only: whether a code exists on a date is reference data's job (schemas/validation.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

from schemas.bounds import MAX_VND, check_identifier, check_line, check_prose, check_url, check_url_safe_id

AgencyCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,15}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$")]
CategoryCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
PlatformCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
Text = Annotated[str, Field(min_length=1), AfterValidator(check_line)]
"""One line of text (a name, a title, a unit), 1 to 500 characters, no control characters."""
Prose = Annotated[str, AfterValidator(check_prose)]
"""Free text of several lines, up to 10,000 characters."""
Identifier = Annotated[str, Field(min_length=1), AfterValidator(check_identifier)]
"""A reference as its issuer writes it (a record or decision number), up to 128 characters."""
CaseId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_url_safe_id)]
SubjectId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(check_url_safe_id)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$"), AfterValidator(check_url)]
Vnd = Annotated[int, Field(ge=0, le=MAX_VND, description="Vietnamese dong, a whole number.")]
KeyedHash = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,31}:[0-9a-f]{64}$",
        description="'<key id>:<HMAC-SHA256 hex>' of a normalised identifier; never the identifier itself.",
    ),
]
TaxCode = Annotated[str, Field(pattern=r"^(\d{10}(-\d{3})?|\d{12})$")]
_NOT_IN_EMAIL = r"[^@\s\x00-\x1f\x7f-\x9f]"
Email = Annotated[
    str, Field(pattern=rf"^{_NOT_IN_EMAIL}+@{_NOT_IN_EMAIL}+\.{_NOT_IN_EMAIL}+$", max_length=254)
]

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def _phone(value: str) -> str:
    """Vietnamese and foreign numbers as people write them: 8-15 digits, an optional +, separators."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise ValueError(f"{value!r} does not look like a phone number")
    return value


PhoneNumber = Annotated[str, Field(max_length=40), AfterValidator(_phone)]

PURE_STRING_CHECKS: frozenset[Callable[[str], str]] = frozenset(
    {check_line, check_prose, check_identifier, check_url_safe_id, check_url, _phone}
)
"""The string checks of these shapes, each a function of the value alone (no clock, no state, no
reference data): the consumer's fast decode may remember which values passed them
(schemas/model_fast_check.py). A check that is not (reads a date, a setting) must stay out of this set."""
