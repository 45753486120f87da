"""Gửi tin báo: the public tip form — no account, Vietnamese first. Included WITHOUT the signed-in forms'
CSRF check (services.web.form_guard): there is no session to protect, and the form's own signed, one-use,
time-bounded token (services.tips.form_token) is its proof that a person filled this page in."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from schemas.reference import categories_on, platforms, provinces_on
from services.api.deps import client_of
from services.api.request_audit import RequestAuditDep
from services.tips.desk import TipDesk, TipRefused
from services.tips.messages import refusal_message
from services.tips.submission import CONTACT_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, TipForm
from services.web.templates import render

router = APIRouter(include_in_schema=False)
FIELDS = ("category", "platform", "shop_url", "province_code", "description", "contact", "token")


def tip_desk(request: Request) -> TipDesk:
    """The app's one tip desk (its rate limits, form tokens and clock are the app's, not the request's)."""
    desk: TipDesk = request.app.state.tip_desk
    return desk


TipDeskDep = Annotated[TipDesk, Depends(tip_desk)]


def choices(today: date, lang: str) -> dict[str, Any]:
    return {
        "categories": [
            (c.code, c.name_en if lang == "en" else c.name_vi)
            for c in categories_on(today)
            if c.code != "unclassified"
        ],
        "platforms": [(code, p.name) for code, p in sorted(platforms().items())],
        "provinces": [(p.code, p.name) for p in provinces_on(today)],
        "description_min": DESCRIPTION_MIN,
        "description_max": DESCRIPTION_MAX,
        "contact_max": CONTACT_MAX,
    }


def _form_page(
    request: Request, values: dict[str, str], error: str | None = None, status_code: int = 200
) -> Response:
    desk = tip_desk(request)
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    context = {
        **choices(desk.clock().date(), lang),
        "values": {k: v for k, v in values.items() if k not in ("contact", "token")},
        "tip_token": desk.tokens.issue(),
        "error": error,
    }
    return render(request, "tip_form.html", None, context, status_code=status_code)


@router.get("/tin-bao", response_class=HTMLResponse)
def tip_form(request: Request) -> Response:
    return _form_page(request, {})


@router.post("/tin-bao")
async def send_tip(request: Request, desk: TipDeskDep, audit: RequestAuditDep) -> Response:
    parsed = parse_qs((await request.body()).decode(errors="replace"), keep_blank_values=True)
    values = {k: v[0] for k, v in parsed.items() if k in FIELDS and v}
    try:
        desk.admit(client_of(request))
        form = TipForm.model_validate({k: v for k, v in values.items() if v.strip()})
        sent = desk.submit(form)
    except TipRefused as refused:
        audit.refused(refused.status)
        return _form_page(request, values, str(refused), status_code=refused.status)
    except ValidationError as bad:
        audit.refused(422)
        return _form_page(request, values, refusal_message(bad), status_code=422)
    audit.read(rows=1, resource=sent.reference)
    return RedirectResponse(f"/tin-bao/da-gui?{urlencode({'ma': sent.reference})}", status_code=303)


@router.get("/tin-bao/da-gui", response_class=HTMLResponse)
def tip_sent(request: Request) -> Response:
    reference = request.query_params.get("ma", "")[:64]
    return render(request, "tip_sent.html", None, {"reference": reference})
