"""Vụ việc được chuyển đến: the referrals to the signed-in user's agency (age, deadline, answers) with the
plain POST forms that accept, decline or report action; and a form to refer a case (from an alert)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from producers.referral_events import ACTIONS
from schemas.events import ReferralKind
from schemas.reference import agencies
from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.api.routes.referrals import (
    AnswerBody,
    AnswerRefused,
    NewReferral,
    publish_answer,
    publish_referral,
    referrals_for,
)
from services.web.pages.access import PageReader
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    found = referrals_for(request, connection, principal, now)
    audit.read(rows=len(found))
    context = {
        "found": found,
        "now": now,
        "actions": [(a.value, a.value) for a in ACTIONS],
        "error": request.query_params.get("error"),
        "done": request.query_params.get("done"),
    }
    return render(request, "referrals.html", principal, context)


@router.post("/referrals/{referral_id}/answer")
async def answer_form(
    request: Request,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    referral_id: str,
    connection: ConnectionDep,
) -> Response:
    form = _form(await request.body())
    try:
        body = AnswerBody.model_validate(form)
        answered = publish_answer(request, connection, principal, now, referral_id, body)
    except ValidationError as bad:
        audit.refused(422)
        return _back("/referrals", error=_first(bad))
    except AnswerRefused as refused:
        audit.refused(refused.status)
        return _back("/referrals", error=str(refused))
    return _back("/referrals", done=answered.event_id)


@router.get("/referrals/new", response_class=HTMLResponse)
def new_referral_page(request: Request, principal: PageReader) -> Response:
    context = {
        "case_id": request.query_params.get("case_id", "")[:64],
        "agencies": [a for a in sorted(agencies()) if a != principal.agency],
        "kinds": [(k.value, k.value) for k in ReferralKind],
        "error": request.query_params.get("error"),
    }
    return render(request, "referral_new.html", principal, context)


@router.post("/referrals/new")
async def new_referral(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    form = _form(await request.body())
    case_id = str(form.get("case_id", ""))[:64]
    try:
        body = NewReferral.model_validate(form)
        publish_referral(request, connection, principal, now, body)
    except ValidationError as bad:
        audit.refused(422)
        return _back("/referrals/new", case_id=case_id, error=_first(bad))
    except AnswerRefused as refused:
        audit.refused(refused.status)
        return _back("/referrals/new", case_id=case_id, error=str(refused))
    return _back(f"/cases/{case_id}", referred="1")


def _form(raw: bytes) -> dict[str, str]:
    """The first value of each non-empty field."""
    parsed = parse_qs(raw.decode(errors="replace"))
    return {k: v[0].strip() for k, v in parsed.items() if v and v[0].strip()}


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def _back(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)
