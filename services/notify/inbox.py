"""A principal's in-app notifications: newest first, the unread count, marking read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from services.notify.notifier import NOTIFICATIONS


def notifications_of(
    connection: Connection, principal_id: str, unread_only: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    query = select(NOTIFICATIONS).where(NOTIFICATIONS.c.principal_id == principal_id)
    if unread_only:
        query = query.where(NOTIFICATIONS.c.read_at.is_(None))
    query = query.order_by(NOTIFICATIONS.c.created_at.desc(), NOTIFICATIONS.c.notification_id).limit(limit)
    return [dict(r._mapping) for r in connection.execute(query)]


def unread_count(connection: Connection, principal_id: str) -> int:
    query = select(func.count()).where(
        NOTIFICATIONS.c.principal_id == principal_id, NOTIFICATIONS.c.read_at.is_(None)
    )
    return int(connection.execute(query).scalar_one())


def mark_read(connection: Connection, principal_id: str, notification_id: str | None, now: datetime) -> int:
    """One notification (or all, with None) of this principal; another's is untouched (returns 0)."""
    statement = update(NOTIFICATIONS).where(
        NOTIFICATIONS.c.principal_id == principal_id, NOTIFICATIONS.c.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(NOTIFICATIONS.c.notification_id == notification_id)
    return int(connection.execute(statement.values(read_at=now)).rowcount or 0)
