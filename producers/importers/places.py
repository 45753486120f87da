"""Province names and codes as reports write them, read as of the row's date with the dated reference data.

"Bắc Giang", "tỉnh Bac Giang" or code 24 on a 2024 row is Bắc Giang (24); the same name on a row dated
after the 2025 merger is its successor, the new Bắc Ninh (24); retired code 27 after the merger → 24.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

from producers.importers.text import key_of
from schemas.errors import ContractViolation
from schemas.reference import Province, current_province, province_history, province_on, provinces_on

_PREFIX = re.compile(r"^(tinh|thanh pho|tp|t p)\s+")
_ALIASES = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "sg": "ho chi minh",
    "hn": "ha noi",
    "hue": "thua thien hue",
    "brvt": "ba ria vung tau",
    "vung tau": "ba ria vung tau",
}


class PlaceError(ValueError):
    """The text names no province we know on that date."""


def province_code(value: str, day: date) -> str:
    """The province code in force on `day` for a code or a name written in a report."""
    text = value.strip()
    if text.isdigit() and len(text) <= 2:
        return _by_code(text.zfill(2), day)
    units = _by_name().get(_name_key(text))
    if not units:
        raise PlaceError(f"không nhận ra tỉnh/thành phố {value!r} (unknown province)")
    for unit in units:
        if unit.in_force_on(day):
            return unit.code
    ended = [unit for unit in units if unit.valid_to is not None and unit.valid_to < day]
    if ended:
        return _successor(max(ended, key=lambda u: u.valid_to or day), day, value)
    return _by_code(units[0].code, day)


def _by_code(code: str, day: date) -> str:
    try:
        return province_on(code, day).code
    except ContractViolation as exc:
        try:
            history = province_history(code)
        except ContractViolation:
            raise PlaceError(str(exc)) from None
        if history[0].valid_from is not None and day < history[0].valid_from:
            raise PlaceError(str(exc)) from None
        return _successor(history[-1], day, code)


def _successor(unit: Province, day: date, written: str) -> str:
    """An old unit written on a later date means the unit it merged into."""
    if unit.valid_to is None:
        return unit.code
    try:
        return current_province(unit.code, unit.valid_to).code
    except ContractViolation as exc:
        raise PlaceError(f"{written!r}: {exc}") from None


def _name_key(text: str) -> str:
    name = _PREFIX.sub("", key_of(text))
    return _ALIASES.get(name.replace(" ", ""), _ALIASES.get(name, name))


@cache
def _by_name() -> dict[str, list[Province]]:
    """Every unit that ever was, by folded name without "tỉnh"/"thành phố" (newest first)."""
    index: dict[str, list[Province]] = {}
    for day in (date(2010, 1, 1), date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1) + timedelta(days=1)):
        for unit in provinces_on(day):
            units = index.setdefault(_PREFIX.sub("", key_of(unit.name)), [])
            if unit not in units:
                units.append(unit)
    for units in index.values():
        units.sort(key=lambda u: u.valid_from or date.min, reverse=True)
    return index
