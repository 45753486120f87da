"""Which normaliser reads which identifier field: the one table the linker and the seller search share.

The linker turns a SubjectIdentified payload's fields into matching keys with these functions; the
search turns what a user typed into keys with the same functions and compares, so a seller is found by
any spelling that would have linked it (a shop URL with `?smtt=…`, the bare shop id, a phone with +84).
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.bounds import KEY_MAX_CHARS
from schemas.normalisation.address import address_key
from schemas.normalisation.email import email_key
from schemas.normalisation.keyed import keyed_hash_key
from schemas.normalisation.name import name_key
from schemas.normalisation.phone import phone_key
from schemas.normalisation.shop import shop_key_of_id, shop_key_of_url
from schemas.normalisation.tax_code import tax_code_key

FIELD_KEYS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "phone": ("phone", phone_key),
    "tax_code": ("tax_code", tax_code_key),
    "email": ("email", email_key),
    "shop_url": ("shop", shop_key_of_url),
    "national_id_hash": ("national_id", keyed_hash_key),
    "bank_account_hash": ("bank_account", keyed_hash_key),
    "display_name": ("name", name_key),
    "address": ("address", address_key),
}
"""Payload field → (kind of matching key, normaliser)."""


def field_key(field: str, raw: str) -> tuple[str, str] | None:
    """The matching key (kind, value) of one field's value, None when it identifies nobody.

    `shop_id` values are stored as 'platform:id' (identifiers_of in
    consumers/event_types/subject_identified.py) and read with shop_key_of_id on that platform.
    """
    if field == "shop_id":
        platform, _, shop_id = raw.partition(":")
        shop = shop_key_of_id(platform if platform != "?" else None, shop_id)
        return ("shop", shop) if shop else None
    spec = FIELD_KEYS.get(field)
    if spec is None:
        return None
    kind, normalise = spec
    value = normalise(raw)
    return (kind, value[:KEY_MAX_CHARS]) if value else None  # however far a normaliser expanded it


def typed_keys(typed: str, platforms: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """Every matching key a typed identifier may stand for: read as each kind of identifier, and as a bare
    shop id on each of `platforms` (the platforms of the stored shop it is compared with)."""
    text = typed.strip()
    if not text:
        return set()
    keys = {key for field in FIELD_KEYS if field != "display_name" if (key := field_key(field, text))}
    keys.update(("shop", shop) for platform in platforms if (shop := shop_key_of_id(platform, text)))
    return keys
