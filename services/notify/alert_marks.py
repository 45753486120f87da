"""Which alerts a subscription reads in one sweep: at most `ALERTS_PER_SWEEP` after its high-water mark,
oldest first, so a burst larger than one sweep takes is read over the next sweeps, in order, and every
alert of the window is read at last (reading the agency's newest 5,000 left the older part of such a
burst unread for good). The mark is the (raised_at, alert_id) of the last alert read, kept on the
subscription row in the sweep's transaction with the notifications it made.

The mark moves only over alerts raised at least `MARK_SETTLE` before the sweep: an alert is written with
the time its rule run began (consumers/alerts), and two runs (an entity consumer's job, a dead-letter
replay's follow-up) can commit out of that order, so an alert committed late with an earlier raised_at
must still lie after the mark when it lands. Alerts newer than that are read and notified all the same
(a notification is one per principal and fact: reading them again next sweep adds nothing); only a burst
larger than one sweep inside the last `MARK_SETTLE` waits that long before the sweeps move past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, or_, select, update

from services.store.alert_store import ALERTS, addressed_to
from services.store.notification_tables import SubscriptionRow

SUBSCRIPTIONS = cast(Table, SubscriptionRow.__table__)
ALERTS_PER_SWEEP = 5_000
"""Alerts read per subscription and sweep at most; the rest are read by the next sweeps, oldest first."""
MARK_SETTLE = timedelta(minutes=5)
"""How old an alert must be before the mark moves past it (far longer than a rule run takes to commit)."""

Mark = tuple[datetime, str]


@dataclass(frozen=True)
class AlertPage:
    """The alerts one subscription reads in a sweep, and its mark after them."""

    alerts: list[dict[str, Any]]
    mark: Mark | None
    full: bool
    """True: the sweep read as many as it may; more may wait for the next sweeps."""


def alerts_after(
    connection: Connection, agency: str, since: datetime, mark: Mark | None, now: datetime
) -> AlertPage:
    """The alerts addressed to `agency` raised from `since`, after `mark`, oldest first, bounded."""
    query = select(ALERTS).where(addressed_to(agency), ALERTS.c.raised_at >= since)
    if mark is not None:
        at, alert_id = mark
        query = query.where(  # the first condition alone bounds an index range scan of raised_at
            ALERTS.c.raised_at >= at,
            or_(ALERTS.c.raised_at > at, and_(ALERTS.c.raised_at == at, ALERTS.c.alert_id > alert_id)),
        )
    page = query.order_by(ALERTS.c.raised_at, ALERTS.c.alert_id).limit(ALERTS_PER_SWEEP)
    alerts = [dict(row._mapping) for row in connection.execute(page)]
    settled_before = now - MARK_SETTLE
    moved = mark
    for alert in alerts:
        if alert["raised_at"] >= settled_before:
            break
        moved = (alert["raised_at"], alert["alert_id"])
    return AlertPage(alerts, moved, len(alerts) == ALERTS_PER_SWEEP)


def keep_mark(connection: Connection, subscription_id: str, mark: Mark) -> None:
    """Store a subscription's mark (in the sweep's transaction, with the notifications it made)."""
    connection.execute(
        update(SUBSCRIPTIONS)
        .where(SUBSCRIPTIONS.c.subscription_id == subscription_id)
        .values(alerts_read_at=mark[0], alerts_read_id=mark[1])
    )
