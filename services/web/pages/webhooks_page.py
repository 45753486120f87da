"""/ops/webhooks: deliveries given up (dead letters) — which agency system, which fact, how many attempts,
the last error. For operators and administrators; no case data is shown, only ids."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.access.principal import Role
from services.api.deps import ConnectionDep
from services.api.request_audit import RequestAuditDep
from services.notify.webhooks import dead_letters
from services.web.page_session import page_principal
from services.web.pages.access import PageForbidden
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/ops/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, audit: RequestAuditDep, connection: ConnectionDep) -> Response:
    principal = page_principal(request)
    if principal.role not in (Role.OPS, Role.ADMIN):
        raise PageForbidden(principal)
    found = dead_letters(connection)
    audit.read(rows=len(found))
    return render(request, "ops_webhooks.html", principal, {"dead": found})
