"""The alerts inbox of one reader: the alerts addressed to their agency (and those shared with all), each
with its state in that agency's inbox and the cases of it the reader may see; and the state machine.

Alerts were written for their recipients (restricted records appear as hidden holders only); the inbox
adds the reader's current view: a case link appears only for a case the reader may open now, and a reader
with a province scope sees only alerts with a case in scope. Province and category filters match the
alert's visible cases; they are applied here, over one agency's alerts (hundreds, not millions — the rules
raise a few per seller and week), rather than in SQL over the alert JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, FromClause

from consumers.visibility import Viewer
from services.store import entity_store, inbox_store
from services.store.alert_store import list_alerts
from services.views.dossier_totals import cases_of

NOBODY = "-"  # an agency code no alert is addressed to
SCAN = 5_000
"""At most this many of an agency's newest alerts are filtered per request."""


class InboxState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class InboxAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    CLOSE = "close"
    REOPEN = "reopen"


_MOVES: dict[InboxAction, tuple[frozenset[InboxState], InboxState]] = {
    InboxAction.ACKNOWLEDGE: (frozenset({InboxState.NEW}), InboxState.ACKNOWLEDGED),
    InboxAction.ASSIGN: (
        frozenset({InboxState.NEW, InboxState.ACKNOWLEDGED, InboxState.ASSIGNED}),
        InboxState.ASSIGNED,
    ),
    InboxAction.CLOSE: (
        frozenset({InboxState.NEW, InboxState.ACKNOWLEDGED, InboxState.ASSIGNED}),
        InboxState.CLOSED,
    ),
    InboxAction.REOPEN: (frozenset({InboxState.CLOSED}), InboxState.ACKNOWLEDGED),
}


class InboxRefusal(Exception):
    """An action the inbox cannot take (unknown alert, wrong state, nobody to assign); says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def next_state(current: InboxState, action: InboxAction) -> InboxState:
    allowed, after = _MOVES[action]
    if current not in allowed:
        raise InboxRefusal(409, f"cannot {action.value} an alert that is {current.value}")
    return after


@dataclass(frozen=True)
class InboxFilter:
    state: InboxState | None = None
    rule: str | None = None
    province: str | None = None
    category: str | None = None
    seller: str | None = None
    """An entity id or a subject id (its entity)."""
    assignee: str | None = None


@dataclass
class InboxItem:
    alert: dict[str, Any]
    state: InboxState
    assignee: str | None
    updated_by: str | None
    updated_at: datetime | None
    cases: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Inbox:
    items: list[InboxItem]
    total: int
    by_state: dict[str, int]


def inbox(
    connection: Connection,
    agency: str | None,
    viewer: Viewer,
    cases: FromClause,
    wanted: InboxFilter,
    limit: int = 50,
    offset: int = 0,
) -> Inbox:
    entity_id = None
    if wanted.seller:
        entity_id = entity_store.entities_of(connection, [wanted.seller]).get(wanted.seller, wanted.seller)
    rows, _ = list_alerts(
        connection, agency=agency or NOBODY, rule=wanted.rule, entity_id=entity_id, limit=SCAN
    )
    states = inbox_store.states_of(connection, agency or NOBODY, [r["alert_id"] for r in rows])
    case_ids = {c for r in rows for c in r["alert"].get("case_ids", ())}
    visible = {row["case_id"]: row for row in cases_of(connection, cases, case_ids)}
    matching: list[InboxItem] = []
    for row in rows:
        seen = [visible[c] for c in row["alert"].get("case_ids", ()) if c in visible]
        if viewer.provinces and not seen:
            continue
        if wanted.province and not any(c["current_province_code"] == wanted.province for c in seen):
            continue
        if wanted.category and not any(c["category"] == wanted.category for c in seen):
            continue
        held = states.get(row["alert_id"])
        item = InboxItem(
            alert=row["alert"],
            state=InboxState(held.state) if held else InboxState.NEW,
            assignee=held.assignee if held else None,
            updated_by=held.actor if held else None,
            updated_at=held.at if held else None,
            cases=seen,
        )
        matching.append(item)
    by_state = {s.value: sum(1 for i in matching if i.state == s) for s in InboxState}
    chosen = [
        i
        for i in matching
        if (wanted.state is None or i.state == wanted.state)
        and (wanted.assignee is None or i.assignee == wanted.assignee)
    ]
    return Inbox(chosen[offset : offset + limit], len(chosen), by_state)


def act(
    connection: Connection,
    agency: str | None,
    actor: str,
    alert_id: str,
    action: InboxAction,
    now: datetime,
    assignee: str | None = None,
    note: str | None = None,
) -> InboxState:
    """Apply an action to the agency's copy of an alert (the caller commits); returns the new state."""
    if agency is None:
        raise InboxRefusal(403, "only a member of an agency acts on its alerts")
    rows, _ = list_alerts(connection, agency=agency, alert_id=alert_id, limit=1)
    if not rows:
        raise InboxRefusal(404, f"no alert {alert_id} for you")
    held = inbox_store.states_of(connection, agency, [alert_id]).get(alert_id)
    after = next_state(InboxState(held.state) if held else InboxState.NEW, action)
    if action is InboxAction.ASSIGN:
        if not assignee or not inbox_store.colleague(connection, agency, assignee):
            raise InboxRefusal(422, f"assign to an enabled principal of {agency}")
    elif assignee:
        raise InboxRefusal(422, "only assign takes an assignee")
    if note is not None and len(note) > 2000:
        raise InboxRefusal(422, "a note has at most 2,000 characters")
    if note is not None and any(c not in "\n\t" and not c.isprintable() for c in note):
        raise InboxRefusal(422, "a note may not hold control characters")
    inbox_store.add_action(
        connection,
        {"alert_id": alert_id, "agency": agency, "action": action.value, "state": after.value,
         "assignee": assignee if action is InboxAction.ASSIGN else (held.assignee if held else None),
         "actor": actor, "note": note or None, "at": now},
    )  # fmt: skip
    return after
