"""Vietnamese tax codes (mã số thuế): 10 digits, 10-3 for a branch, or a 12-digit personal number."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s._/]")


def tax_code_key(raw: str) -> str | None:
    """'0101234567', '0101 234 567', '0101234567-001', '0101234567001', '101234567' (lost 0) → canonical.

    A branch keeps its own code ('0101234567-001'): a branch is not linked to its parent by this key.
    A 12-digit code is a citizen's identity number (the personal tax code since 2025-07-01), kept as is.
    """
    text = _SEPARATORS.sub("", raw.strip())
    main, dash, branch = text.partition("-")
    if dash and not (branch.isdigit() and len(branch) == 3):
        return None
    if not main.isdigit():
        return None
    if not dash and len(main) == 13:
        main, branch = main[:10], main[10:]
    if len(main) == 9:  # a number cell drops the leading zero of codes like 0101234567
        main = "0" + main
    if len(main) == 12 and not branch:
        return None if len(set(main)) == 1 else main
    if len(main) != 10 or len(set(main)) == 1 or main in ("0123456789", "1234567890"):
        return None
    if branch and branch == "000":
        branch = ""
    return f"{main}-{branch}" if branch else main
