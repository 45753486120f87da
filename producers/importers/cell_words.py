"""Words in cells → contract codes: violation categories, platforms, yes/no (mappings/vocabulary.toml)."""

from __future__ import annotations

from datetime import date
from functools import cache
from urllib.parse import urlsplit

from producers.importers.category_words import categories_in
from producers.importers.mapping import vocabulary
from producers.importers.text import key_of
from schemas.errors import ContractViolation
from schemas.reference import categories_on, category, category_history, platform, platforms


class WordError(ValueError):
    """The cell holds a word the vocabulary does not know."""


def category_code(text: str, day: date) -> str:
    """A category code in force on `day` from its code, or the phrases of the legal-basis vocabulary the
    wording contains (category_words.py); WordError, in Vietnamese, when none or several are named."""
    found = [text.strip()] if text.strip() in _codes() else categories_in(text)
    if not found:
        raise WordError(
            f"không nhận ra hành vi vi phạm {text!r} (unknown violation): ghi ví dụ 'Kinh doanh hàng giả', "
            "'Hàng hóa không rõ nguồn gốc' hoặc mã 'counterfeit' (xem mappings/vocabulary.toml)"
        )
    if len(found) > 1:
        named = " or ".join(found)
        names = " hoặc ".join(f"'{_name_vi(code, day)}'" for code in found)
        raise WordError(f"ambiguous: {named} — ô ghi nhiều hành vi ({names}); mỗi dòng ghi một hành vi")
    code = found[0]
    try:
        category(code, day)
    except ContractViolation as exc:
        raise WordError(str(exc)) from None
    return code


def _name_vi(code: str, day: date) -> str:
    try:
        return category(code, day).name_vi
    except ContractViolation:
        return category_history(code)[-1].name_vi


@cache
def _codes() -> frozenset[str]:
    return frozenset(c.code for day in (date(2019, 1, 1), date(2027, 1, 1)) for c in categories_on(day))


@cache
def _platforms() -> dict[str, str]:
    words = {key_of(w): code for code, ws in vocabulary()["platforms"].items() for w in ws}
    words.update({key_of(p.name): p.code for p in platforms().values()})
    words.update({code: code for code in platforms()})
    return words


def platform_code(text: str, day: date) -> str:
    """A platform code from its code, name or a common spelling ("Tik Tok", "FB")."""
    code = _platforms().get(key_of(text))
    if code is None:
        raise WordError(f"không nhận ra nền tảng {text!r} (unknown platform; xem mappings/vocabulary.toml)")
    try:
        platform(code, day)
    except ContractViolation as exc:
        raise WordError(str(exc)) from None
    return code


def platform_of_url(url: str) -> str | None:
    """The platform a listing URL's host belongs to (m.shopee.vn → shopee), None for other hosts."""
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
    except ValueError:  # a broken IPv6 literal or port: no known platform
        return None
    hosts: dict[str, str] = vocabulary()["hosts"]
    return next(
        (code for suffix, code in hosts.items() if host == suffix or host.endswith("." + suffix)), None
    )


def yes_no(text: str) -> bool:
    """True for "có"/"x"/"đã chuyển"..., False for "không"/"chưa"/"0"...; WordError otherwise."""
    word = key_of(text)
    if word in {key_of(w) for w in vocabulary()["yes_no"]["yes"]}:
        return True
    if word in {key_of(w) for w in vocabulary()["yes_no"]["no"]}:
        return False
    raise WordError(f"không phải có/không: {text!r} (not a yes/no answer; ghi có hoặc không)")
