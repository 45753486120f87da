"""Nhật ký truy cập: the latest audit entries for administrators, with the hash chain checked."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.access.audit import AuditQuery, read_audit, verify_chain
from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.views.audit_views import admin_scope, withhold_foreign_filters
from services.views.visible_cases import visible_cases
from services.web.pages.access import PageAuditor
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, principal: PageAuditor, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    viewer = principal.viewer(now)
    scope = admin_scope(viewer, visible_cases(connection, viewer))
    rows, count = read_audit(connection, AuditQuery(limit=200), scope)
    rows = withhold_foreign_filters(rows, viewer)
    intact = verify_chain(connection, request.app.state.audit.seal) is None
    audit.read(rows=len(rows))
    return render(request, "audit.html", principal, {"rows": rows, "count": count, "intact": intact})
