"""Thông báo: the signed-in user's notifications (unread first count), their subscriptions, and the plain
POST forms (services/web/templates/_forms.html) that subscribe, unsubscribe and mark read."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.notify.inbox import mark_read, notifications_of, unread_count
from services.notify.subscriptions import (
    Interest,
    SubscriptionRefused,
    list_subscriptions,
    subscribe,
    unsubscribe,
)
from services.web.pages.access import PageReader
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, principal: PageReader, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    found = notifications_of(connection, principal.principal_id)
    audit.read(rows=len(found))
    context = {
        "found": found,
        "unread": unread_count(connection, principal.principal_id),
        "subscriptions": list_subscriptions(connection, principal.principal_id),
        "interests": [(i.value, i.value) for i in Interest],
        "error": request.query_params.get("error"),
    }
    return render(request, "notifications.html", principal, context)


@router.post("/notifications/subscribe")
async def subscribe_form(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep
) -> Response:
    form = _form(await request.body())
    try:
        with request.app.state.engine.begin() as connection:
            subscribe(
                connection,
                principal.principal_id,
                form.get("kind", ""),
                form.get("value", ""),
                form.get("email"),
                now,
            )
    except SubscriptionRefused as refused:
        audit.refused(422)
        return _back(error=str(refused))
    audit.read(rows=1)
    return _back()


@router.post("/notifications/unsubscribe/{subscription_id}")
def unsubscribe_form(
    request: Request, principal: PageReader, audit: RequestAuditDep, subscription_id: str
) -> Response:
    try:
        chosen = str(uuid.UUID(subscription_id))
    except ValueError:
        audit.refused(404)
        return _back(error="no such subscription")
    with request.app.state.engine.begin() as connection:
        removed = unsubscribe(connection, principal.principal_id, chosen)
    audit.read(rows=int(removed))
    if not removed:
        audit.refused(404)
    return _back() if removed else _back(error="no such subscription")


@router.post("/notifications/read/{notification_id}")
def read_form(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, notification_id: str
) -> Response:
    chosen = None
    if notification_id != "all":
        try:
            chosen = str(uuid.UUID(notification_id))
        except ValueError:
            audit.refused(404)
            return _back(error="no such notification")
    with request.app.state.engine.begin() as connection:
        marked = mark_read(connection, principal.principal_id, chosen, now)
    audit.read(rows=marked)
    return _back()


def _form(raw: bytes) -> dict[str, str]:
    parsed = parse_qs(raw.decode(errors="replace"))
    return {k: v[0].strip() for k, v in parsed.items() if v and v[0].strip()}


def _back(**query: str) -> RedirectResponse:
    return RedirectResponse("/notifications" + (f"?{urlencode(query)}" if query else ""), status_code=303)
