"""/ops/webhooks: deliveries given up (dead letters) — which agency system, which fact, how many attempts,
the last error. For operators and administrators; no case data is shown, only ids."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from services.access.principal import Role
from services.api.deps import get_connection, record
from services.notify.webhooks import dead_letters
from services.web.pages.access import PageForbidden
from services.web.rendering import page_principal, render

router = APIRouter(include_in_schema=False)


@router.get("/ops/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, connection: Connection = Depends(get_connection)) -> Response:
    principal = page_principal(request)
    if principal.role not in (Role.OPS, Role.ADMIN):
        record(request, principal, status_code=403)
        raise PageForbidden(principal)
    found = dead_letters(connection)
    record(request, principal, rows=len(found))
    return render(request, "ops_webhooks.html", principal, {"dead": found})
