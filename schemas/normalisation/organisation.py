"""Whether a violator's name is an organisation's: the decrees fine organisations twice an individual.

Decree 118/2021/NĐ-CP Art. 7 lists who is fined as an organisation (companies, cooperatives, private
enterprises, branches ...); a household business (hộ kinh doanh) or a shop name is an individual. A name
with a legal form anywhere in it is taken as an organisation, which errs on the side of the higher ceiling.
"""

from __future__ import annotations

import re
from functools import lru_cache

from schemas.normalisation.text import fold

_ORGANISATION_FORMS = re.compile(
    r"\b(cong ty|cty|ct tnhh|tnhh|co phan|ctcp|hop tac xa|htx|doanh nghiep|dntn|tap doan|chi nhanh"
    r"|lien hiep|tong cong ty|van phong dai dien|company|co ltd|ltd|jsc|corp|corporation|inc|llc)\b"
)


@lru_cache(maxsize=4096)
def is_organisation_name(name: str | None) -> bool:
    """'Công ty TNHH Giày Việt', 'HTX Nông sản', 'ABC Co., Ltd' → True; 'Nguyễn Văn A', 'Shop A' → False.

    Remembered (a pure function of the name): the consumer asks it of every penalty's violator, the same
    few sellers again and again, and folding + two regexes cost ~5–7 µs a name (~0.1 remembered);
    `__wrapped__` is the plain function (tests/unit/test_fine_limits.py compares the two)."""
    if not name:
        return False
    return _ORGANISATION_FORMS.search(re.sub(r"[^a-z0-9 ]", " ", fold(name))) is not None
