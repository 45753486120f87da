"""Words in cells → contract codes: violation categories, platforms, yes/no (mappings/vocabulary.toml)."""

from __future__ import annotations

from datetime import date
from functools import cache
from urllib.parse import urlsplit

from producers.importers.mapping import vocabulary
from producers.importers.text import key_of
from schemas.errors import ContractViolation
from schemas.reference import categories_on, category, platform, platforms


class WordError(ValueError):
    """The cell holds a word the vocabulary does not know."""


@cache
def _categories() -> dict[str, str]:
    words = {key_of(w): code for code, ws in vocabulary()["categories"].items() for w in ws}
    for day in (date(2019, 1, 1), date(2025, 1, 1), date(2027, 1, 1)):
        words.update({key_of(c.name_vi): c.code for c in categories_on(day)})
    return words


def category_code(text: str, day: date) -> str:
    """A category code in force on `day` from its code, its Vietnamese name or a common phrase."""
    code = text.strip() if text.strip() in _codes() else _categories().get(key_of(text))
    if code is None:
        raise WordError(f"unknown violation {text!r} (see mappings/vocabulary.toml)")
    try:
        category(code, day)
    except ContractViolation as exc:
        raise WordError(str(exc)) from None
    return code


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
        raise WordError(f"unknown platform {text!r} (see mappings/vocabulary.toml)")
    try:
        platform(code, day)
    except ContractViolation as exc:
        raise WordError(str(exc)) from None
    return code


def platform_of_url(url: str) -> str | None:
    """The platform a listing URL's host belongs to (m.shopee.vn → shopee), None for other hosts."""
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
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
    raise WordError(f"not a yes/no answer: {text!r} (write có or không)")
