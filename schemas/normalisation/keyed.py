"""Keyed hashes (national id, bank account) compared as published: '<key id>:<HMAC-SHA256 hex>'.

The hub never sees the number nor holds the key: agencies hash with schemas.identifiers.keyed_hash
(bank accounts through bank_account_identifier), so two digests match only under the same key id.
"""

from __future__ import annotations

import re

_KEYED = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}:[0-9a-f]{64}$")


def keyed_hash_key(raw: str) -> str | None:
    """The digest in lower case; None for anything that is not a keyed hash (a clear value never matches)."""
    text = raw.strip().lower()
    return text if _KEYED.match(text) else None
