"""The matching keys a SubjectIdentified payload carries, strong (may link) or weak (only suggest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.normalisation import shop_key_of_id
from schemas.normalisation.fields import FIELD_KEYS, field_key

STRONG_KINDS = ("phone", "tax_code", "shop", "email", "national_id", "bank_account")
WEAK_KINDS = ("name", "address")


@dataclass(frozen=True, order=True)
class MatchKey:
    """An identifier in its canonical spelling: (kind, value)."""

    kind: str
    value: str

    @property
    def strong(self) -> bool:
        return self.kind in STRONG_KINDS

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Sighting:
    """One agency's record of a subject with the keys it carries, as an event brought it."""

    subject_id: str
    event_id: str
    occurred_at: datetime
    keys: tuple[tuple[MatchKey, str], ...]
    """(key, the raw text it was normalised from)."""


def keys_of(payload: dict[str, Any]) -> tuple[tuple[MatchKey, str], ...]:
    """Every matching key of a SubjectIdentified payload; values that identify nobody are dropped."""
    found: dict[MatchKey, str] = {}
    for field in FIELD_KEYS:
        raw = payload.get(field)
        if raw and (kind_value := field_key(field, str(raw))):
            found.setdefault(MatchKey(*kind_value), str(raw))
    if payload.get("shop_id") and (shop := shop_key_of_id(payload.get("platform"), str(payload["shop_id"]))):
        found.setdefault(MatchKey("shop", shop), str(payload["shop_id"]))
    for key, raw in list(found.items()):
        if key.kind == "shop" and key.value.startswith("zalo:+"):  # a Zalo account is its phone number
            found.setdefault(MatchKey("phone", key.value.removeprefix("zalo:")), raw)
    return tuple(sorted(found.items()))


def sighting_of(subject_id: str, event_id: str, occurred_at: datetime, payload: dict[str, Any]) -> Sighting:
    return Sighting(subject_id, event_id, occurred_at, keys_of(payload))
