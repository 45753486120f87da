"""Numbers typed into URLs and headers: ASCII digits only, and few of them.

str.isdigit() also takes "²" (int() refuses it, a 500) and "١" (int() reads it), and int() refuses more
than 4,300 digits: every page number, version id or length a client writes is read through here.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def ascii_number(text: str, digits: int = 9) -> int | None:
    """The number `text` writes in 1 to `digits` ASCII digits (at most 18), else None."""
    if len(text) > digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)
