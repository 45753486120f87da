"""Nhật ký truy cập: the latest audit entries for administrators, with the hash chain checked."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from services.access.audit import AuditQuery, read_audit, verify_chain
from services.access.principal import Capability
from services.api.deps import get_connection, get_now, record
from services.views.audit_views import admin_scope, withhold_foreign_filters
from services.views.visible_cases import visible_cases
from services.web.pages.access import page_reader
from services.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, connection: Connection = Depends(get_connection)) -> Response:
    principal = page_reader(request, Capability.READ_AUDIT)
    viewer = principal.viewer(get_now(request))
    scope = admin_scope(viewer, visible_cases(connection, viewer))
    rows, count = read_audit(connection, AuditQuery(limit=200), scope)
    rows = withhold_foreign_filters(rows, viewer)
    intact = verify_chain(connection, request.app.state.audit.seal) is None
    record(request, principal, rows=len(rows))
    return render(request, "audit.html", principal, {"rows": rows, "count": count, "intact": intact})
