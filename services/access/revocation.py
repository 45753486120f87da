"""Taking access away: a principal's tokens and web sessions end together, and disabling ends the
principal too.

Revoking only the tokens left every web session opened with them alive until it expired (up to
SESSION_HOURS), though the sessions' own docstring promised they end with the principal's revocation.
`revoke` is for a leaked or rotated token (the principal is given a new one, keeps subscriptions);
`disable` is for someone who leaves: nothing they hold proves them any more, their subscriptions stop
notifying (services/notify skips disabled principals), and `tokens create` enables them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from consumers.clock import utcnow
from services.access.resolver import PRINCIPALS, TOKENS
from services.access.web_sessions import SESSIONS


@dataclass(frozen=True)
class Revoked:
    """What one revocation ended."""

    tokens: int
    sessions: int
    disabled: bool = False
    known: bool = True
    """Whether the principal exists at all: a mistyped id revokes nothing, which must not read as done."""


def revoke_access(engine: Engine, principal_id: str, *, disable: bool = False) -> Revoked:
    """End every live token and web session of a principal (and, with `disable`, the principal)."""
    with engine.begin() as connection:
        known = (
            connection.execute(
                select(PRINCIPALS.c.principal_id).where(PRINCIPALS.c.principal_id == principal_id)
            ).first()
            is not None
        )
        tokens, sessions = _revoke(connection, principal_id)
        disabled = False
        if disable:
            disabled = (
                connection.execute(
                    PRINCIPALS.update()
                    .where(PRINCIPALS.c.principal_id == principal_id, PRINCIPALS.c.disabled_at.is_(None))
                    .values(disabled_at=utcnow())
                ).rowcount
                > 0
            )
    return Revoked(tokens, sessions, disabled, known)


def _revoke(connection: Connection, principal_id: str) -> tuple[int, int]:
    now = utcnow()
    tokens = connection.execute(
        TOKENS.update()
        .where(TOKENS.c.principal_id == principal_id, TOKENS.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    sessions = connection.execute(
        SESSIONS.update()
        .where(SESSIONS.c.principal_id == principal_id, SESSIONS.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    return tokens, sessions
