"""SQL of the alerts inbox: append an action, read each alert's latest state for one recipient agency."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, func, select

from services.store.access_tables import PrincipalRow
from services.store.inbox_tables import AlertActionRow

ACTIONS = cast(Table, AlertActionRow.__table__)
PRINCIPALS = cast(Table, PrincipalRow.__table__)
_CHUNK = 500


@dataclass(frozen=True)
class InboxState:
    state: str
    assignee: str | None
    actor: str
    at: datetime


def states_of(connection: Connection, agency: str, alert_ids: Iterable[str]) -> dict[str, InboxState]:
    """The latest action's state of each alert in this agency's inbox (absent: never acted on, new)."""
    ids = sorted(set(alert_ids))
    found: dict[str, InboxState] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        latest = (
            select(func.max(ACTIONS.c.seq))
            .where(ACTIONS.c.agency == agency, ACTIONS.c.alert_id.in_(chunk))
            .group_by(ACTIONS.c.alert_id)
        )
        query = select(ACTIONS).where(ACTIONS.c.seq.in_(latest))
        for row in connection.execute(query):
            found[row.alert_id] = InboxState(row.state, row.assignee, row.actor, row.at)
    return found


def history_of(connection: Connection, agency: str, alert_id: str) -> list[dict[str, object]]:
    query = (
        select(ACTIONS)
        .where(ACTIONS.c.agency == agency, ACTIONS.c.alert_id == alert_id)
        .order_by(ACTIONS.c.seq.desc())
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def add_action(connection: Connection, row: dict[str, object]) -> None:
    connection.execute(ACTIONS.insert(), [row])


def colleague(connection: Connection, agency: str, principal_id: str) -> bool:
    """Whether the principal exists, is enabled and belongs to this agency (an alert is assigned within)."""
    query = select(PRINCIPALS.c.principal_id).where(
        PRINCIPALS.c.principal_id == principal_id,
        PRINCIPALS.c.agency == agency,
        PRINCIPALS.c.disabled_at.is_(None),
    )
    return connection.execute(query).first() is not None


def colleagues(connection: Connection, agency: str) -> list[tuple[str, str]]:
    """(principal id, display name) of the agency's enabled principals, for the assign form."""
    query = (
        select(PRINCIPALS.c.principal_id, PRINCIPALS.c.display_name)
        .where(PRINCIPALS.c.agency == agency, PRINCIPALS.c.disabled_at.is_(None))
        .order_by(PRINCIPALS.c.principal_id)
    )
    return [(row.principal_id, row.display_name) for row in connection.execute(query)]
