"""Tin báo cần xử lý: BCĐ 389's triage list — each new tip can be assigned to an agency (its CaseOpened) or
dismissed with a reason (a CaseClosed); both through post_form (the signed-in forms' CSRF token)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.access.principal import Capability, Principal
from services.api.request_audit import RequestAuditDep
from services.tips.desk import assignable_agencies, may_triage
from services.tips.triage import STATES, TriageRefused
from services.web.pages.access import PageForbidden, holding
from services.web.pages.tips_public import TipDeskDep, choices
from services.web.templates import render

router = APIRouter(include_in_schema=False)


def triager(
    principal: Annotated[Principal, Depends(holding(Capability.TRIAGE_TIPS))], audit: RequestAuditDep
) -> Principal:
    """A signed-in user who may triage tips (BCĐ 389's desk)."""
    if not may_triage(principal):
        audit.refused(403)
        raise PageForbidden(principal)
    return principal


Triager = Annotated[Principal, Depends(triager)]


@router.get("/tips", response_class=HTMLResponse)
def tips_page(request: Request, principal: Triager, desk: TipDeskDep, audit: RequestAuditDep) -> Response:
    state = request.query_params.get("state")
    state = state if state in STATES else None
    found = desk.tips(principal, state)
    audit.read(rows=len(found))
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    context = {
        **choices(desk.clock().date(), lang),
        "found": found,
        "state": state,
        "states": STATES,
        "agencies": assignable_agencies(),
        "error": request.query_params.get("error"),
        "done": request.query_params.get("done"),
    }
    return render(request, "tips.html", principal, context)


@router.post("/tips/{event_id}/assign")
async def assign_form(
    request: Request, principal: Triager, desk: TipDeskDep, audit: RequestAuditDep, event_id: str
) -> Response:
    form = _form(await request.body())
    try:
        delivery = desk.assign(
            principal,
            event_id[:36],
            agency=form.get("agency", "")[:16],
            province_code=form.get("province_code", "")[:2] or None,
            category=form.get("category", "")[:64] or None,
            goods=form.get("goods", "")[:500] or None,
        )
    except TriageRefused as refused:
        audit.refused(refused.status, resource=event_id[:36])
        return _back(error=str(refused))
    audit.read(rows=1, resource=event_id[:36])
    return _back(done=delivery.event_id)


@router.post("/tips/{event_id}/dismiss")
async def dismiss_form(
    request: Request, principal: Triager, desk: TipDeskDep, audit: RequestAuditDep, event_id: str
) -> Response:
    reason = _form(await request.body()).get("reason", "")
    if not reason or len(reason) > 2000:
        audit.refused(422, resource=event_id[:36])
        return _back(error="cần lý do (1-2000 ký tự) để loại tin báo (a reason is required)")
    try:
        delivery = desk.dismiss(principal, event_id[:36], reason)
    except TriageRefused as refused:
        audit.refused(refused.status, resource=event_id[:36])
        return _back(error=str(refused))
    audit.read(rows=1, resource=event_id[:36])
    return _back(done=delivery.event_id)


def _form(raw: bytes) -> dict[str, str]:
    parsed = parse_qs(raw.decode(errors="replace"))
    return {k: v[0].strip() for k, v in parsed.items() if v and v[0].strip()}


def _back(**query: str) -> RedirectResponse:
    return RedirectResponse(f"/tips?{urlencode(query)}", status_code=303)
