"""The tip desk's two secrets, derived from one: the key reporters' contacts are hashed with, and the key
the public form's tokens are signed with. One secret (CASEHUB_TIP_KEY, or tips.key in CASEHUB_HOME, 0600,
created when absent, as the audit key) keeps deployment simple; deriving two keys keeps a token forger
from learning anything about contact digests and the other way round."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from services.access.audit_seal import read_or_create_key
from services.settings import Settings

KEY_FILE = "tips.key"


@dataclass(frozen=True)
class TipKeys:
    key_id: str
    contact: bytes = field(repr=False)
    form: bytes = field(repr=False)

    @classmethod
    def of(cls, settings: Settings) -> TipKeys:
        secret = settings.tip_key.get_secret_value().encode() if settings.tip_key is not None else b""
        if not secret:
            secret = read_or_create_key(settings.home / KEY_FILE)
        return cls.derived(secret, settings.tip_key_id)

    @classmethod
    def derived(cls, secret: bytes, key_id: str) -> TipKeys:
        def derive(purpose: bytes) -> bytes:
            return hmac.new(secret, b"casehub-tips\x00" + purpose, hashlib.sha256).digest()

        return cls(key_id=key_id, contact=derive(b"contact"), form=derive(b"form"))
