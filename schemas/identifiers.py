"""Keyed hashes of personal identifiers, so agencies can match a seller without sharing the number.

Every agency hashes the normalised value with the same secret key (distributed out of band, never in
events); the key id in front of the digest lets the hub rotate keys without mixing digests.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_NOISE = re.compile(r"[\s.\-/]")


def normalised_identifier(value: str) -> str:
    """The form agencies hash: upper case, no spaces, dots, dashes or slashes."""
    return _NOISE.sub("", value).upper()


def keyed_hash(value: str, *, key_id: str, key: bytes) -> str:
    """'<key id>:<HMAC-SHA256 hex>' of the normalised value (national id, bank account, reporter contact)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", key_id):
        raise ValueError(f"key id {key_id!r} must be 1-32 lower-case letters, digits or dashes")
    digest = hmac.new(key, normalised_identifier(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{key_id}:{digest}"


def bank_account_identifier(bank_code: str, account_number: str) -> str:
    """What a bank account hash covers: the same number at two banks is two accounts."""
    return f"{normalised_identifier(bank_code)}:{normalised_identifier(account_number)}"
