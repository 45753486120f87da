"""The append-only audit log: every read, export and refused attempt, chained by SHA-256 like X-Road's
message log, so that removing or altering a row is evident (`verify_chain`)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text

from services.access.principal import Principal
from services.store.access_tables import AuditRow
from services.store.tables import utcnow

AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
GENESIS = "0" * 64
_CHAINED = ("at", "principal_id", "agency", "role", "method", "endpoint", "resource", "filters")
_COUNTED = ("rows_returned", "status_code")
_LOCK_ID = 389_006  # PostgreSQL advisory lock serialising appends across API processes


@dataclass(frozen=True)
class AuditEntry:
    principal: Principal | None
    method: str
    endpoint: str
    filters: dict[str, Any] = field(default_factory=dict)
    rows_returned: int = 0
    status_code: int = 200
    resource: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    principal_id: str | None = None
    endpoint: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


class AuditLog:
    """Appends entries in one short transaction each; the database's write lock (an advisory lock on
    PostgreSQL, BEGIN IMMEDIATE on SQLite) taken before reading the tail keeps the chain linear across
    processes, and a process lock spares threads the wait in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def append(self, entry: AuditEntry) -> None:
        p = entry.principal
        row: dict[str, Any] = {
            "at": utcnow(),
            "principal_id": p.principal_id if p else None,
            "agency": p.agency if p else None,
            "role": p.role.value if p else None,
            "method": entry.method,
            "endpoint": entry.endpoint,
            "resource": entry.resource,
            "filters": entry.filters,
            "rows_returned": entry.rows_returned,
            "status_code": entry.status_code,
        }
        with self._lock, self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before reading the tail
            previous = connection.execute(
                select(AUDIT.c.row_hash).order_by(AUDIT.c.seq.desc()).limit(1)
            ).scalar_one_or_none()
            row["prev_hash"] = previous or GENESIS
            row["row_hash"] = row_hash(row)
            connection.execute(AUDIT.insert().values(row))


def row_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the row's content, in a canonical JSON form."""
    content = {name: _plain(row[name]) for name in (*_CHAINED, *_COUNTED)}
    document = row["prev_hash"] + json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(document.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def read_audit(connection: Connection, where: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    """A page of entries, newest first, and how many match."""
    conditions = []
    if where.principal_id:
        conditions.append(AUDIT.c.principal_id == where.principal_id)
    if where.endpoint:
        conditions.append(AUDIT.c.endpoint == where.endpoint)
    if where.since:
        conditions.append(AUDIT.c.at >= where.since)
    if where.until:
        conditions.append(AUDIT.c.at < where.until)
    count = connection.execute(select(func.count()).select_from(AUDIT).where(*conditions)).scalar_one()
    page = (
        select(AUDIT).where(*conditions).order_by(AUDIT.c.seq.desc()).limit(where.limit).offset(where.offset)
    )
    return [dict(row._mapping) for row in connection.execute(page)], count


def verify_chain(connection: Connection) -> int | None:
    """The seq of the first entry whose hash does not follow from its predecessor, or None if intact."""
    previous = GENESIS
    for row in connection.execute(select(AUDIT).order_by(AUDIT.c.seq)):
        values = dict(row._mapping)
        if values["prev_hash"] != previous or row_hash(values) != values["row_hash"]:
            return int(values["seq"])
        previous = values["row_hash"]
    return None
