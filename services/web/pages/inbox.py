"""Hộp cảnh báo: the alerts inbox of the signed-in user's agency — filters, states, and the plain POST forms
(services/web/templates/_forms.html) that acknowledge, assign, close or reopen an alert."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from schemas.alerts import AlertRule
from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.api.routes.inbox import apply_action
from services.store.inbox_store import colleagues
from services.views.alert_inbox import InboxAction, InboxFilter, InboxRefusal, InboxState, inbox
from services.views.visible_cases import visible_cases
from services.web.pages.access import PageReader
from services.web.pages.page_filters import FilledForm, refill
from services.web.templates import render

router = APIRouter(include_in_schema=False)


def inbox_form(
    principal: PageReader,
    state: str = "",
    rule: str = "",
    province: str = "",
    category: str = "",
    seller: str = "",
    mine: str = "",
) -> FilledForm[InboxFilter]:
    """The inbox filters of the page's form: an unknown state or rule is no filter (never an error), as
    the form offers only known ones."""
    raw = refill(state=state, rule=rule, province=province, category=category, seller=seller, mine=mine)
    wanted = InboxFilter(
        state=InboxState(raw["state"]) if raw["state"] in set(InboxState) else None,
        rule=raw["rule"] if raw["rule"] in set(AlertRule) else None,
        province=raw["province"] or None,
        category=raw["category"] or None,
        seller=raw["seller"] or None,
        assignee=principal.principal_id if raw["mine"] else None,
    )
    return FilledForm(wanted, None, raw)


InboxForm = Annotated[FilledForm[InboxFilter], Depends(inbox_form)]


@router.get("/alerts", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    principal: PageReader,
    form: InboxForm,
    now: NowDep,
    audit: RequestAuditDep,
    connection: ConnectionDep,
) -> Response:
    viewer = principal.viewer(now)
    visible = visible_cases(connection, viewer)
    found = inbox(connection, principal.agency, viewer, visible, form.where, limit=200)
    audit.read(rows=len(found.items))
    context = {
        "found": found,
        "raw": form.raw,
        "states": [s.value for s in InboxState],
        "rules": [r.value for r in AlertRule if r is not AlertRule.UNKNOWN],
        "people": colleagues(connection, principal.agency) if principal.agency else [],
        "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "error": request.query_params.get("error"),
        "referral_page": True,
    }
    return render(request, "inbox.html", principal, context)


@router.post("/alerts/{alert_id}/{action}")
async def inbox_action(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, alert_id: str, action: str
) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    back = (form.get("back") or ["/alerts"])[0]
    back = back if back.startswith("/alerts") else "/alerts"
    try:
        chosen = InboxAction(action)
        parsed = str(uuid.UUID(alert_id))
    except ValueError:
        audit.refused(404)
        return RedirectResponse(_with(back, error="unknown action or alert"), status_code=303)
    try:
        apply_action(
            request,
            parsed,
            chosen,
            principal.agency,
            principal.principal_id,
            now,
            _field(form, "assignee"),
            _field(form, "note"),
        )
    except InboxRefusal as refused:
        audit.refused(refused.status, resource=parsed)
        return RedirectResponse(_with(back, error=str(refused)), status_code=303)
    audit.read(rows=1, resource=parsed)
    return RedirectResponse(back, status_code=303)


def _field(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0].strip() or None if values else None


def _with(back: str, **more: str) -> str:
    return f"{back}{'&' if '?' in back else '?'}{urlencode(more)}"
