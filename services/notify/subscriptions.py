"""A principal's subscriptions: what they may subscribe to, checked before anything is stored."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Connection, Table, select

from services.store.notification_tables import SubscriptionRow
from services.store.sql_store import _insert

SUBSCRIPTIONS = cast(Table, SubscriptionRow.__table__)
MAX_PER_PRINCIPAL = 100
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$")


class Interest(StrEnum):
    PROVINCE = "province"
    CATEGORY = "category"
    PLATFORM = "platform"
    SELLER = "seller"
    """An entity id, or a subject id (its entity's cases)."""
    IDENTIFIER = "identifier"
    """A phone, tax code, shop URL, e-mail, ... as typed (matched as the seller search matches it)."""


class SubscriptionRefused(ValueError):
    pass


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    principal_id: str
    kind: Interest
    value: str
    email: str | None
    created_at: datetime
    alerts_read: tuple[datetime, str] | None = None
    """(raised_at, alert_id) of the last alert read for good: the notifier's high-water mark."""
    alerts_ahead: tuple[datetime, str] | None = None
    """(raised_at, alert_id) of the last alert read past a full page (services/notify/alert_marks.py)."""


def checked(kind: str, value: str, email: str | None) -> tuple[Interest, str, str | None]:
    """The interest as stored; SubscriptionRefused says what is wrong. E-mail addresses are plain
    (no display names, no line breaks), so nothing typed here can add a header to a message."""
    try:
        interest = Interest(kind)
    except ValueError:
        raise SubscriptionRefused(f"subscribe to one of {', '.join(i.value for i in Interest)}") from None
    value = value.strip()
    valid = {
        Interest.PROVINCE: re.fullmatch(r"\d{2}", value) is not None,
        Interest.CATEGORY: _CODE.fullmatch(value) is not None,
        Interest.PLATFORM: _CODE.fullmatch(value) is not None,
        Interest.SELLER: _ID.fullmatch(value) is not None,
        Interest.IDENTIFIER: 3 <= len(value) <= 200 and value.isprintable(),
    }[interest]
    if not valid:
        raise SubscriptionRefused(f"{value[:60]!r} is not a {interest.value} to subscribe to")
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise SubscriptionRefused("give a plain e-mail address (name@example.vn), or none")
    return interest, value, email


def subscribe(
    connection: Connection, principal_id: str, kind: str, value: str, email: str | None, now: datetime
) -> Subscription:
    interest, value, email = checked(kind, value, email)
    held = list_subscriptions(connection, principal_id)
    for s in held:
        if (s.kind, s.value) == (interest, value):
            return s
    if len(held) >= MAX_PER_PRINCIPAL:
        raise SubscriptionRefused(f"at most {MAX_PER_PRINCIPAL} subscriptions each")
    row = {
        "subscription_id": str(uuid.uuid4()),
        "principal_id": principal_id,
        "kind": interest.value,
        "value": value,
        "email": email,
        "created_at": now,
    }
    statement = _insert(connection, SUBSCRIPTIONS).on_conflict_do_nothing(
        index_elements=["principal_id", "kind", "value"]
    )
    connection.execute(statement, [row])
    return next(
        s for s in list_subscriptions(connection, principal_id) if (s.kind, s.value) == (interest, value)
    )


def list_subscriptions(connection: Connection, principal_id: str | None = None) -> list[Subscription]:
    query = select(SUBSCRIPTIONS).order_by(SUBSCRIPTIONS.c.principal_id, SUBSCRIPTIONS.c.created_at)
    if principal_id is not None:
        query = query.where(SUBSCRIPTIONS.c.principal_id == principal_id)
    return [
        Subscription(
            r.subscription_id,
            r.principal_id,
            Interest(r.kind),
            r.value,
            r.email,
            r.created_at,
            (r.alerts_read_at, r.alerts_read_id) if r.alerts_read_at is not None else None,
            (r.alerts_ahead_at, r.alerts_ahead_id) if r.alerts_ahead_at is not None else None,
        )
        for r in connection.execute(query)
    ]


def unsubscribe(connection: Connection, principal_id: str, subscription_id: str) -> bool:
    statement = SUBSCRIPTIONS.delete().where(
        SUBSCRIPTIONS.c.principal_id == principal_id, SUBSCRIPTIONS.c.subscription_id == subscription_id
    )
    return bool(connection.execute(statement).rowcount)
