"""Which alerts a subscription reads in one sweep: at most `ALERTS_PER_SWEEP` after its high-water mark,
oldest first, so a burst larger than one sweep takes is read over the next sweeps, in order, and every
alert of the window is read at last (reading the agency's newest 5,000 left the older part of such a
burst unread for good). The mark is the (raised_at, alert_id) of the last alert read, kept on the
subscription row in the sweep's transaction with the notifications it made.

The mark moves only over alerts raised at least `MARK_SETTLE` before the sweep: an alert is written with
the time its rule run began (consumers/alerts), and two runs (an entity consumer's job, a dead-letter
replay's follow-up) can commit out of that order, so an alert committed late with an earlier raised_at
must still lie after the mark when it lands. Alerts newer than that are read and notified all the same
(a notification is one per principal and fact: reading them again next sweep adds nothing).

A burst larger than one page inside the last `MARK_SETTLE` would then be read from the same mark by
every sweep, its first page again and again, the rest waiting until it settled. So when the first page
is full a sweep reads a second page, on from the read-ahead — the last alert an earlier sweep read that
way (kept beside the mark), or the first page's end — and keeps where that page ended: each sweep reads
the next page of the burst. An alert committed late inside such a burst, behind the read-ahead but past
the first page, is read when the mark reaches it: at the latest `MARK_SETTLE` after it was raised.
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
    """The alerts one subscription reads in a sweep, its mark and read-ahead after them."""

    alerts: list[dict[str, Any]]
    mark: Mark | None
    ahead: Mark | None
    """Where the next sweep reads on from past a full first page; None: no burst is being read."""
    full: bool
    """True: the sweep read as many as it may; more may wait for the next sweeps."""


def alerts_after(
    connection: Connection,
    agency: str,
    since: datetime,
    mark: Mark | None,
    now: datetime,
    ahead: Mark | None = None,
) -> AlertPage:
    """The alerts addressed to `agency` raised from `since`, after `mark`, oldest first, bounded; past a
    full first page, a second page from the read-ahead `ahead` (or that page's end)."""
    first = _page(connection, agency, since, mark)
    settled_before = now - MARK_SETTLE
    moved = mark
    for alert in first:
        if alert["raised_at"] >= settled_before:
            break
        moved = _mark_of(alert)
    if len(first) < ALERTS_PER_SWEEP:
        return AlertPage(first, moved, None, full=False)
    end = _mark_of(first[-1])
    start = ahead if ahead is not None and ahead > end else end
    second = _page(connection, agency, since, start)
    return AlertPage(
        first + second,
        moved,
        _mark_of(second[-1]) if second else start,
        full=len(second) == ALERTS_PER_SWEEP,
    )


def _page(connection: Connection, agency: str, since: datetime, after: Mark | None) -> list[dict[str, Any]]:
    query = select(ALERTS).where(addressed_to(agency), ALERTS.c.raised_at >= since)
    if after is not None:
        at, alert_id = after
        query = query.where(  # the first condition alone bounds an index range scan of raised_at
            ALERTS.c.raised_at >= at,
            or_(ALERTS.c.raised_at > at, and_(ALERTS.c.raised_at == at, ALERTS.c.alert_id > alert_id)),
        )
    page = query.order_by(ALERTS.c.raised_at, ALERTS.c.alert_id).limit(ALERTS_PER_SWEEP)
    return [dict(row._mapping) for row in connection.execute(page)]


def _mark_of(alert: dict[str, Any]) -> Mark:
    return (alert["raised_at"], alert["alert_id"])


def keep_mark(connection: Connection, subscription_id: str, mark: Mark | None, ahead: Mark | None) -> None:
    """Store a subscription's mark and read-ahead (in the sweep's transaction, with its notifications)."""
    connection.execute(
        update(SUBSCRIPTIONS)
        .where(SUBSCRIPTIONS.c.subscription_id == subscription_id)
        .values(
            alerts_read_at=mark[0] if mark else None,
            alerts_read_id=mark[1] if mark else None,
            alerts_ahead_at=ahead[0] if ahead else None,
            alerts_ahead_id=ahead[1] if ahead else None,
        )
    )
