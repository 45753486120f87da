"""The keys a stored seller identifier is found by, and the keys a typed identifier is looked up with.

A seller is found by what a user types when `services.store.queries.identifiers.matches` says the typed
text is one of its identifiers: the typed text read by the linker's normalisers (fields.py) gives the
stored value's matching key, or the two spellings agree loosely (`canonical`). Both sides of that test
are kept as columns of `subject_identifiers` when the row is written (`stored_keys`), so the search
looks the typed text's keys up in two b-tree indexes (`typed_lookup`) instead of testing every stored
identifier (migration 0023 says what it cost).

`typed_lookup` may find more than `matches` accepts, never less: a stored shop key is compared with the
typed text read as a bare shop id on the stored shop's platform, which the lookup does not know before
it finds the row, so it reads the text on every platform (the reference list, and every platform a shop
URL names). tests/unit/test_identifier_keys.py checks that on generated identifiers and spellings.
A change to a normaliser changes the stored keys: it needs a migration that recomputes them (as 0023
computes them for the rows stored before it), or a rebuild from the log.
"""

from __future__ import annotations

import re
from functools import lru_cache

from schemas.bounds import KEY_MAX_CHARS
from schemas.normalisation.fields import field_key, typed_keys
from schemas.normalisation.shop import PLATFORMS_OF_URLS
from schemas.reference import platforms

IDENTIFIER_KINDS = (
    "phone",
    "email",
    "tax_code",
    "shop_url",
    "shop_id",
    "national_id_hash",
    "bank_account_hash",
    "address",
)
"""The kinds of identifier a subject_identifiers row holds (consumers/event_types/subject_identified.py)."""

_NOT_DIGIT = re.compile(r"\D")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def canonical(kind: str, value: str) -> str:
    """The form two spellings of an identifier no normaliser reads share. Not for phones: a phone is the
    same phone only when `phone_key` says so (a loose digit comparison would find sellers the linker never
    links, and miss ones it does)."""
    value = value.strip()
    if kind == "tax_code":
        return _NOT_DIGIT.sub("", value)
    if kind == "shop_url":
        bare = _SCHEME.sub("", value.lower())
        return bare.removeprefix("www.").rstrip("/")
    return value.lower()


def zalo_phone(key: tuple[str, str]) -> tuple[str, str] | None:
    """The linker links a zalo.me/<phone> shop to that phone (consumers/entity/keys.py): so does search."""
    kind, value = key
    return ("phone", value.removeprefix("zalo:")) if kind == "shop" and value.startswith("zalo:+") else None


@lru_cache(maxsize=8_192)
def stored_keys(kind: str, value: str) -> tuple[str | None, str]:
    """(matching key, loose key) of a stored identifier, as its row keeps them.

    Remembered: a seller's identifiers come again with each of its observations (the row is written once,
    the keys computed for every observation)."""
    key = field_key(kind, value)
    return (_spelled(key) if key is not None else None, _loose(kind, value))


def typed_lookup(typed: str) -> tuple[set[str], set[str]]:
    """The matching keys and loose keys of stored identifiers the typed text may be (see the module)."""
    text = typed.strip()
    if not text:
        return set(), set()
    read_as = typed_keys(text, _every_platform())
    matching = {_spelled(key) for key in read_as}
    matching |= {f"shop:zalo:{value}" for kind, value in read_as if kind == "phone"}  # zalo_phone reversed
    return matching, {_loose(kind, text) for kind in IDENTIFIER_KINDS}


def _spelled(key: tuple[str, str]) -> str:
    return f"{key[0]}:{key[1]}"


def _loose(kind: str, value: str) -> str:
    """Bounded like a matching key (an index entry has a size limit; lower() may lengthen a text)."""
    return f"{kind}:{canonical(kind, value)[:KEY_MAX_CHARS]}"


@lru_cache(maxsize=1)
def _every_platform() -> tuple[str, ...]:
    return tuple(sorted(set(platforms()) | PLATFORMS_OF_URLS))
