"""What makes the audit chain evidence: a server secret the chain is keyed with, and a persisted head.

Without a key, anyone with the database password could re-hash a rewritten chain with the public code; with
HMAC-SHA-256 under a secret kept outside the database (`CASEHUB_AUDIT_KEY`, or `audit.key` in CASEHUB_HOME,
mode 0600, generated when absent) a rewrite breaks the chain at its first changed row. Deleting the newest
rows leaves a chain that still follows, so every append also writes the row_hash it wrote to a head file
outside the database (one per database); verification fails when that head is no longer in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.settings import Settings

KEY_FILE = "audit.key"
KEY_BYTES = 32


@dataclass(frozen=True)
class AuditSeal:
    key: bytes = field(repr=False)
    heads: Path | None = None  # folder of head files; None keeps no head (unit use only)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def digest(self, document: bytes) -> str:
        return hmac.new(self.key, document, hashlib.sha256).hexdigest()

    def head_file(self, database: str) -> Path | None:
        """The head file of one database (its URL without password, hashed: one home may serve several)."""
        if self.heads is None:
            return None
        return self.heads / f"audit-head-{hashlib.sha256(database.encode()).hexdigest()[:16]}"

    def remember(self, database: str, row_hash: str) -> None:
        """Persist the newest row_hash this process wrote (atomically: a crash leaves the old head)."""
        path = self.head_file(database)
        if path is None:
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        with self._lock:
            temporary.write_text(row_hash, encoding="ascii")
            os.replace(temporary, path)

    def remembered(self, database: str) -> str | None:
        path = self.head_file(database)
        if path is None or not path.exists():
            return None
        return path.read_text(encoding="ascii").strip() or None

    @classmethod
    def of(cls, settings: Settings) -> AuditSeal:
        """The seal of a deployment: CASEHUB_AUDIT_KEY, else the key file in CASEHUB_HOME (created, 0600,
        when absent — `casehub up` and `casehub api` both do); heads beside it."""
        home = settings.home.resolve()
        if settings.audit_key is not None and settings.audit_key.get_secret_value():
            return cls(settings.audit_key.get_secret_value().encode(), home)
        return cls(read_or_create_key(home / KEY_FILE), home)


def read_or_create_key(path: Path) -> bytes:
    """The key in `path`, written first (random, mode 0600, never replaced) when the file is absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES))
    key = ""
    for _ in range(20):  # another process may be between creating the file and writing it
        key = path.read_text(encoding="ascii").strip()
        if key:
            break
        time.sleep(0.05)
    if not key:
        raise ValueError(f"{path} is empty: restore the audit key, or the log cannot be verified")
    return key.encode()
