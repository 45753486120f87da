"""Server-side web sessions: signing in with a token opens a session whose random id the browser keeps;
the token itself never goes into a cookie. Sessions expire (SESSION_HOURS) and signing out revokes them;
a revoked or disabled principal's sessions end with it (the principal is read on every request)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine, Table, select

from consumers.clock import utcnow
from services.access.principal import Principal
from services.access.resolver import PRINCIPALS, principal_of
from services.store.access_tables import WebSessionRow

SESSIONS: Table = WebSessionRow.__table__  # type: ignore[assignment]
SESSION_HOURS = 12


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(engine: Engine, principal: Principal) -> str:
    """A new session of a principal; the id is returned once (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            SESSIONS.insert().values(
                session_hash=_hash(session_id),
                principal_id=principal.principal_id,
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
                revoked_at=None,
            )
        )
    return session_id


def session_principal(engine: Engine, session_id: str) -> Principal | None:
    """The principal of a live session (not expired, not revoked, principal not disabled), else None."""
    query = (
        select(PRINCIPALS)
        .join(SESSIONS, SESSIONS.c.principal_id == PRINCIPALS.c.principal_id)
        .where(
            SESSIONS.c.session_hash == _hash(session_id),
            SESSIONS.c.revoked_at.is_(None),
            SESSIONS.c.expires_at > utcnow(),
            PRINCIPALS.c.disabled_at.is_(None),
        )
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return principal_of(row._mapping) if row is not None else None


def close_session(engine: Engine, session_id: str) -> None:
    """Sign out: the session id proves nobody from now on, wherever it was copied to."""
    with engine.begin() as connection:
        connection.execute(
            SESSIONS.update()
            .where(SESSIONS.c.session_hash == _hash(session_id), SESSIONS.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
