"""The versioned stop-list file: identifiers known to be shared by unrelated sellers never link them.

Placeholders, platform and courier hotlines, platform support mailboxes, couriers' pickup points. The
per-identifier cap (settings.entity_link_cap) catches the ones nobody listed yet.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from consumers.entity.keys import MatchKey, keys_of

_FIELD_OF_KIND = {
    "phone": "phone",
    "tax_code": "tax_code",
    "email": "email",
    "shop": "shop_url",
    "address": "address",
    "name": "display_name",
    "national_id": "national_id_hash",
    "bank_account": "bank_account_hash",
}


@dataclass(frozen=True)
class StopList:
    version: str
    keys: frozenset[MatchKey]
    reasons: dict[MatchKey, str]

    def __contains__(self, key: object) -> bool:
        return key in self.keys


def stop_key(kind: str, raw: str) -> MatchKey | None:
    """The key a listed value stops, normalised like the identifier it stands for."""
    if kind not in _FIELD_OF_KIND:
        raise ValueError(f"unknown identifier kind {kind!r}; one of {', '.join(sorted(_FIELD_OF_KIND))}")
    found = [key for key, _ in keys_of({_FIELD_OF_KIND[kind]: raw}) if key.kind == kind]
    return found[0] if found else None


@cache
def bundled_stop_list() -> StopList:
    """The stop-list shipped with this package."""
    text = resources.files(__package__).joinpath("stoplist.csv").read_text(encoding="utf-8")
    return parse_stop_list(text)


def parse_stop_list(text: str) -> StopList:
    lines = text.splitlines()
    version = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("# version:")), "")
    if not version:
        raise ValueError("the stop-list needs a '# version: ...' line")
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    reasons: dict[MatchKey, str] = {}
    for row in rows:
        key = stop_key(row["kind"], row["value"])
        if key is not None:
            reasons.setdefault(key, row["reason"])
    return StopList(version, frozenset(reasons), reasons)
