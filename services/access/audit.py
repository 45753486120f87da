"""The append-only audit log: every read, export and refused attempt, chained like X-Road's message log
with HMAC-SHA-256 under a server secret (services.access.audit_seal), so that altering or re-hashing a row
is evident, and with a head persisted outside the database, so that removing the newest rows is too
(`verify_chain`). Credentials never reach it: query parameters that carry one are withheld."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Engine, PoolProxiedConnection, Table, func, select, text
from sqlalchemy.exc import DBAPIError

from consumers.clock import utcnow
from services.access.audit_seal import AuditSeal
from services.access.principal import Principal
from services.access.resolver import TOKEN_PREFIX
from services.store.access_tables import AuditRow

AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
GENESIS = "0" * 64
_CHAINED = ("at", "principal_id", "agency", "role", "method", "endpoint", "resource", "filters")
_COUNTED = ("rows_returned", "status_code")
_LOCK_ID = 389_006  # PostgreSQL advisory lock serialising appends across API processes
_COLUMNS = (*_CHAINED, *_COUNTED, "prev_hash", "row_hash")
_VALUES = ", ".join("CAST(%(filters)s AS jsonb)" if name == "filters" else f"%({name})s" for name in _COLUMNS)
_INSERT_AT_TAIL = (
    f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) SELECT {_VALUES} "
    "WHERE COALESCE((SELECT row_hash FROM audit_log ORDER BY seq DESC LIMIT 1), %(genesis)s) = %(expected)s "
    "RETURNING seq"
)
"""Appends the row only if its prev_hash is still the chain's tail. Run under the advisory lock, in a
statement of its own (so its snapshot, taken once the lock is held, sees every earlier append)."""
_INSERT = f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES ({_VALUES})"
_TAIL = "SELECT row_hash FROM audit_log ORDER BY seq DESC LIMIT 1"

if TYPE_CHECKING:
    import psycopg


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
    processes, and a process lock spares threads the wait in the database.

    On PostgreSQL (psycopg) a log checks out one pooled connection per append (appends are serialised by
    the process lock) and keeps the hash of the last row it wrote. An append is then one round
    trip: a pipeline of BEGIN, the advisory lock, an INSERT … SELECT that writes the row only if its
    prev_hash is still the chain's tail, and COMMIT. The remembered hash is only a guess — the INSERT checks
    it against the table under the lock, in a statement that starts after the lock is held — so another
    process having appended in between costs a second try (lock, read the tail, insert, commit), never a
    fork. A connection that turns out broken is invalidated and the append retried once on a fresh one,
    which first checks whether the broken one's commit had in fact landed, so an entry is neither lost nor
    written twice."""

    def __init__(self, engine: Engine, seal: AuditSeal) -> None:
        self.engine = engine
        self.seal = seal
        self.database = database_of(engine)
        self._lock = threading.Lock()
        self._fast = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        self._raw: PoolProxiedConnection | None = None
        self._pid = os.getpid()
        self._tail: str | None = None  # row_hash of the last row this log wrote, a guess to be checked

    def append(self, entry: AuditEntry) -> None:
        p = entry.principal
        row: dict[str, Any] = {
            "at": utcnow(),
            "principal_id": p.principal_id if p else None,
            "agency": p.agency if p else None,
            "role": p.role.value if p else None,
            "method": entry.method,
            "endpoint": storable(entry.endpoint),
            "resource": storable(entry.resource),
            "filters": without_credentials(entry.filters),
            "rows_returned": entry.rows_returned,
            "status_code": entry.status_code,
        }
        with self._lock:
            if not self._fast:
                self._append(row)
            else:
                try:
                    self._append_postgresql(row)
                finally:
                    self._give_back()
            self.seal.remember(self.database, row["row_hash"])

    def close(self) -> None:
        """Give back a connection the log holds (none between appends)."""
        with self._lock:
            self._give_back()

    def _give_back(self) -> None:
        """Return the append's connection to the engine's pool: an API process may build several apps on
        one engine (and tests build many), so a log must not keep a pooled connection between appends."""
        if self._raw is not None and self._pid == os.getpid():
            self._raw.close()
        self._raw = None

    def _append(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before reading the tail
            previous = connection.execute(
                select(AUDIT.c.row_hash).order_by(AUDIT.c.seq.desc()).limit(1)
            ).scalar_one_or_none()
            row["prev_hash"] = previous or GENESIS
            row["row_hash"] = row_hash(row, self.seal)
            connection.execute(AUDIT.insert().values(row))

    def _append_postgresql(self, row: dict[str, Any]) -> None:
        import psycopg

        if self._pid != os.getpid():  # a forked worker: the parent's connection and guess are not ours
            self._raw, self._tail, self._pid = None, None, os.getpid()
        attempt = None  # the row_hash of a try whose outcome a broken connection left unknown
        for retry in (False, True):
            if self._raw is None:
                self._raw = self.engine.raw_connection()  # pinged by the pool at checkout
            pg: psycopg.Connection[Any] = self._raw.driver_connection  # type: ignore[assignment]
            try:
                if not retry and self._tail is not None:
                    row["prev_hash"] = self._tail
                    row["row_hash"] = row_hash(row, self.seal)
                    if self._insert_at_tail(pg, row):
                        self._tail = row["row_hash"]
                        return
                self._tail = self._append_locked(pg, row, attempt)
                return
            except BaseException as error:
                self._tail = None
                broken = isinstance(error, psycopg.Error) and (pg.broken or pg.closed)
                self._raw.invalidate()
                self._raw = None
                if retry or not broken:
                    if isinstance(error, psycopg.Error):  # as SQLAlchemy would have raised it
                        raise DBAPIError.instance(None, None, error, psycopg.Error) from error
                    raise
                attempt = row.get("row_hash")

    @staticmethod
    def _insert_at_tail(pg: psycopg.Connection[Any], row: dict[str, Any]) -> bool:
        """One round trip: BEGIN, lock, insert if `row` follows the tail, COMMIT; False if it did not."""
        with pg.pipeline():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            inserted = pg.execute(_INSERT_AT_TAIL, _parameters(row))
            pg.commit()
        return inserted.fetchone() is not None

    def _append_locked(self, pg: psycopg.Connection[Any], row: dict[str, Any], attempt: str | None) -> str:
        """Lock, read the tail, insert after it, commit; the row_hash now at the tail. If the tail is
        `attempt` (a try whose commit landed though its connection broke), the entry is already there."""
        with pg.pipeline():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            found = pg.execute(_TAIL).fetchone()
            tail = found[0] if found else GENESIS
            if attempt is not None and tail == attempt:
                pg.commit()
                return tail
            row["prev_hash"] = tail
            row["row_hash"] = row_hash(row, self.seal)
            pg.execute(_INSERT, _parameters(row))
            pg.commit()
        return str(row["row_hash"])


def _parameters(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "filters": json.dumps(row["filters"]), "genesis": GENESIS, "expected": row["prev_hash"]}


def row_hash(row: dict[str, Any], seal: AuditSeal) -> str:
    """HMAC-SHA-256, under the server's audit key, of the previous hash and the row in canonical JSON."""
    content = {name: _plain(row[name]) for name in (*_CHAINED, *_COUNTED)}
    document = row["prev_hash"] + json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return seal.digest(document.encode())


CREDENTIAL_PARAMETERS = frozenset(
    {"token", "access_token", "api_key", "apikey", "key", "password", "secret", "authorization", "session"}
)
WITHHELD = "[withheld]"


def without_credentials(filters: dict[str, Any]) -> dict[str, Any]:
    """Query parameters as recorded: a credential (by its name, or a value shaped like an API token) is
    replaced by a marker, so a token sent in a query string is never stored."""
    return {
        storable(name): WITHHELD
        if name.lower() in CREDENTIAL_PARAMETERS or _looks_like_token(value)
        else ([storable(v) for v in value] if isinstance(value, list) else storable(value))
        for name, value in filters.items()
    }


NUL_SHOWN_AS = "\u2400"  # ␀, SYMBOL FOR NULL


def storable(text: Any) -> Any:
    """Text as the log keeps it: a NUL, which PostgreSQL's text and jsonb refuse, shown as ␀ (one character
    for one), so a request carrying one is audited and answered rather than failing on its audit row."""
    return text.replace("\x00", NUL_SHOWN_AS) if isinstance(text, str) else text


def _looks_like_token(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.startswith(TOKEN_PREFIX) for v in values)


def database_of(engine: Engine) -> str:
    """A database's identity for its head file (URL without the password)."""
    return engine.url.render_as_string(hide_password=True)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def read_audit(
    connection: Connection, where: AuditQuery, scope: ColumnElement[bool] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """A page of entries, newest first, and how many match (within `scope`: what the reader may see)."""
    conditions: list[ColumnElement[bool]] = [] if scope is None else [scope]
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


@dataclass(frozen=True)
class ChainBreak:
    """Where verification failed: the first row that does not follow (seq), or a missing head (seq None)."""

    seq: int | None
    reason: str


@dataclass(frozen=True)
class ChainState:
    rows: int
    tail: str
    break_: ChainBreak | None


def check_chain(connection: Connection, seal: AuditSeal) -> ChainState:
    """Re-key the whole chain: each row must follow its predecessor under the key, and the head this host
    persisted must still be in the log (else rows were removed from its end)."""
    previous, rows, head_found = GENESIS, 0, False
    head = seal.remembered(database_of(connection.engine))
    for row in connection.execute(select(AUDIT).order_by(AUDIT.c.seq)):
        values = dict(row._mapping)
        rows += 1
        if values["prev_hash"] != previous:
            reason = "it does not follow the row before"
            return ChainState(rows, previous, ChainBreak(int(values["seq"]), reason))
        if row_hash(values, seal) != values["row_hash"]:
            reason = "its hash does not match its content under the audit key"
            return ChainState(rows, previous, ChainBreak(int(values["seq"]), reason))
        previous = values["row_hash"]
        head_found = head_found or previous == head
    if head is not None and not head_found:
        reason = f"the persisted head {head[:16]}… is not in the log: rows were removed from its end"
        return ChainState(rows, previous, ChainBreak(None, reason))
    return ChainState(rows, previous, None)


def verify_chain(connection: Connection, seal: AuditSeal) -> int | None:
    """The seq of the first entry that does not follow, -1 when the log was cut short, None if intact."""
    found = check_chain(connection, seal).break_
    if found is None:
        return None
    return found.seq if found.seq is not None else -1
