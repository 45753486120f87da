"""Whether a violator's name is an organisation's: the decrees fine organisations twice an individual.

Decree 118/2021/NĐ-CP Art. 7 lists who is fined as an organisation (companies, cooperatives, private
enterprises, branches ...); a household business (hộ kinh doanh) or a shop name is an individual. A name
with a legal form anywhere in it is taken as an organisation, which errs on the side of the higher ceiling.
"""

from __future__ import annotations

import re

from schemas.normalisation.text import fold

_ORGANISATION_FORMS = re.compile(
    r"\b(cong ty|cty|ct tnhh|tnhh|co phan|ctcp|hop tac xa|htx|doanh nghiep|dntn|tap doan|chi nhanh"
    r"|lien hiep|tong cong ty|van phong dai dien|company|co ltd|ltd|jsc|corp|corporation|inc|llc)\b"
)


def is_organisation_name(name: str | None) -> bool:
    """'Công ty TNHH Giày Việt', 'HTX Nông sản', 'ABC Co., Ltd' → True; 'Nguyễn Văn A', 'Shop A' → False."""
    if not name:
        return False
    return _ORGANISATION_FORMS.search(re.sub(r"[^a-z0-9 ]", " ", fold(name))) is not None
