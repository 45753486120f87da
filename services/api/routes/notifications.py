"""Subscriptions (what a user wants to hear about) and their notifications (the in-app inbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep
from services.notify.inbox import mark_read, notifications_of, unread_count
from services.notify.subscriptions import SubscriptionRefused, list_subscriptions, subscribe, unsubscribe

router = APIRouter(tags=["notifications"])


class SubscriptionIn(BaseModel):
    kind: str = Field(description="province, category, platform, seller or identifier")
    value: str = Field(max_length=512)
    email: str | None = Field(default=None, max_length=254, description="Also e-mail matches here.")


class SubscriptionOut(BaseModel):
    subscription_id: str
    kind: str
    value: str
    email: str | None
    created_at: datetime


class NotificationOut(BaseModel):
    notification_id: str
    fact_kind: str
    fact_id: str
    title: str
    link: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None
    email_error: str | None


class NotificationList(BaseModel):
    data: list[NotificationOut]
    unread: int


@router.get("/api/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(
    audit: RequestAuditDep, principal: Reader, connection: ConnectionDep
) -> list[SubscriptionOut]:
    found = list_subscriptions(connection, principal.principal_id)
    audit.read(rows=len(found))
    return [SubscriptionOut.model_validate(s, from_attributes=True) for s in found]


@router.post("/api/subscriptions", response_model=SubscriptionOut)
def add_subscription(
    request: Request, audit: RequestAuditDep, body: SubscriptionIn, principal: Reader, now: NowDep
) -> SubscriptionOut:
    """Idempotent: the same interest twice is one subscription."""
    try:
        with request.app.state.engine.begin() as connection:
            made = subscribe(connection, principal.principal_id, body.kind, body.value, body.email, now)
    except SubscriptionRefused as refused:
        raise HTTPException(422, str(refused)) from None
    audit.read(rows=1, resource=made.subscription_id)
    return SubscriptionOut.model_validate(made, from_attributes=True)


@router.delete("/api/subscriptions/{subscription_id}", status_code=204)
def remove_subscription(
    request: Request, audit: RequestAuditDep, subscription_id: uuid.UUID, principal: Reader
) -> None:
    with request.app.state.engine.begin() as connection:
        removed = unsubscribe(connection, principal.principal_id, str(subscription_id))
    audit.read(rows=int(removed))
    if not removed:
        raise HTTPException(404, "no such subscription of yours")


@router.get("/api/notifications", response_model=NotificationList)
def my_notifications(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NotificationList:
    found = notifications_of(connection, principal.principal_id, unread, limit)
    audit.read(rows=len(found))
    return NotificationList(
        data=[NotificationOut.model_validate(n) for n in found],
        unread=unread_count(connection, principal.principal_id),
    )


@router.post("/api/notifications/{notification_id}/read")
def read_notification(
    request: Request, audit: RequestAuditDep, notification_id: str, principal: Reader, now: NowDep
) -> dict[str, int]:
    """`all` marks every unread notification of yours."""
    chosen = None
    if notification_id != "all":
        try:
            chosen = str(uuid.UUID(notification_id))
        except ValueError:
            raise HTTPException(404, "no such notification of yours") from None
    with request.app.state.engine.begin() as connection:
        marked = mark_read(connection, principal.principal_id, chosen, now)
    audit.read(rows=marked)
    return {"marked": marked}
