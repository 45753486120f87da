"""Webhooks of the caller's agency: register one (its secret is shown once), list them, and the dead
letters of deliveries given up (for the ops page and the agency)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep
from services.notify.webhooks import WebhookRefused, register, webhooks_of

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


class WebhookIn(BaseModel):
    url: str = Field(max_length=500)


class WebhookCreated(BaseModel):
    webhook_id: str
    url: str
    secret: str = Field(description="HMAC-SHA256 key of X-Casehub-Signature; shown only now, never stored.")


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    created_by: str
    created_at: datetime


@router.post("", response_model=WebhookCreated)
def add_webhook(
    request: Request, audit: RequestAuditDep, body: WebhookIn, principal: Reader, now: NowDep
) -> WebhookCreated:
    """Your agency's system receives its alerts and the referrals to it, signed."""
    if principal.agency is None:
        raise HTTPException(403, "only a member of an agency registers its webhooks")
    try:
        with request.app.state.engine.begin() as connection:
            webhook_id, secret = register(
                connection,
                request.app.state.ops.settings,
                principal.agency,
                body.url,
                principal.principal_id,
                now,
            )
    except WebhookRefused as refused:
        raise HTTPException(422, str(refused)) from None
    audit.read(rows=1, resource=webhook_id)
    return WebhookCreated(webhook_id=webhook_id, url=body.url, secret=secret)


@router.get("", response_model=list[WebhookOut])
def list_webhooks(audit: RequestAuditDep, principal: Reader, connection: ConnectionDep) -> list[WebhookOut]:
    found = webhooks_of(connection, principal.agency or "-")
    audit.read(rows=len(found))
    return [WebhookOut.model_validate(w) for w in found]
