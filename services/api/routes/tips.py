"""Public tips (tin báo) and BCĐ 389's triage over HTTP.

`/api/public/tips`: no account. GET `/form` hands out a signed form token; POST sends a tip with it —
rate-limited per client address (every post counts), each field bounded, the token refused when forged,
sooner than a few seconds after it was issued, older than an hour, or used before. The tip is published
as BCĐ 389's TipReceived; the answer is its reference (the case id), never where it landed.

`/api/tips`: BCĐ 389's analysts and officers list tips and assign one to an agency (that agency's
CaseOpened, on the tip's case) or dismiss it with a reason (BCĐ 389's CaseClosed). Everything is audited;
the contact is never in a query string, a log line or a row (see services.tips).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError

from producers.publisher import Delivery
from services.access.principal import Capability, Principal
from services.api.deps import client_of, require
from services.api.request_audit import audit_of, from_the_public
from services.tips.desk import TipDesk, TipRefused, may_triage
from services.tips.messages import refusal_message
from services.tips.submission import TipForm
from services.tips.triage import TipItem, TriageRefused

public_router = APIRouter(prefix="/api/public/tips", tags=["public tips"])
router = APIRouter(prefix="/api/tips", tags=["tip triage"])

PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Form token missing, forged, expired, or sent too soon after the form was served"},
    409: {"description": "This form token was used already (one tip per form)"},
    422: {"description": "A field is missing, too long, holds control characters, or names an unknown code"},
    429: {"description": "Too many tips from this address; wait"},
    503: {"description": "The broker is unreachable; nothing was sent"},
}
TRIAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad token"},
    403: {"description": "Not a BCĐ 389 analyst or officer"},
    404: {"description": "No such tip"},
    409: {"description": "The tip was assigned or dismissed already"},
    422: {"description": "Unknown agency, province or category, or a bad reason"},
    503: {"description": "The broker is unreachable; nothing was decided"},
}


TIP_FORM_SCHEMA = TipForm.model_json_schema()
HANDLER_AUDITED = (400, 413, 414, 422, 429)


def desk_of(request: Request) -> TipDesk:
    desk: TipDesk = request.app.state.tip_desk
    return desk


def install(app: FastAPI, desk: TipDesk) -> None:
    app.state.tip_desk = desk
    app.include_router(public_router, dependencies=[Depends(from_the_public)])
    app.include_router(router)


class FormToken(BaseModel):
    token: str = Field(description="Send it back as `token` with the tip; good for one tip.")
    not_before: datetime = Field(description="A tip sent earlier is refused (a person takes a few seconds).")
    expires_at: datetime


class TipAccepted(BaseModel):
    reference: str = Field(description="The tip's reference (its case id at BCĐ 389).")
    event_id: str
    message: str


def admitted(request: Request) -> None:
    """Count the post against its address before anything else is looked at (a flood costs nothing)."""
    try:
        desk_of(request).admit(client_of(request))
    except TipRefused as refused:  # audited by services.api.refusals (429)
        raise HTTPException(refused.status, str(refused), headers={"Retry-After": "60"}) from None


@public_router.get("/form", response_model=FormToken)
def form_token(request: Request) -> FormToken:
    """A fresh signed form token (what the web form embeds)."""
    desk = desk_of(request)
    now = desk.clock()
    return FormToken(
        token=desk.tokens.issue(), not_before=now + desk.tokens.min_age, expires_at=now + desk.tokens.max_age
    )


@public_router.post(
    "",
    response_model=TipAccepted,
    status_code=201,
    responses=PUBLIC_ERRORS,
    dependencies=[Depends(admitted)],
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": TIP_FORM_SCHEMA}}}
    },
)
def send_tip(request: Request, body: Annotated[Any, Body(include_in_schema=False)] = None) -> TipAccepted:
    """Send a tip to BCĐ 389 (no account). The contact, if given, is kept only as a keyed hash; a refusal
    names the field, never echoes a value."""
    desk = desk_of(request)
    try:
        if not isinstance(body, dict):
            raise TipRefused(422, "gửi một đối tượng JSON (send a JSON object)")
        try:
            form = TipForm.model_validate(body)
        except ValidationError as bad:
            raise TipRefused(422, refusal_message(bad)) from None
        sent = desk.submit(form)
    except TipRefused as refused:
        _audit_refusal(request, None, refused.status)
        raise HTTPException(refused.status, str(refused)) from None
    audit_of(request).read(rows=1, resource=sent.reference)
    return TipAccepted(
        reference=sent.reference,
        event_id=sent.event_id,
        message="Đã nhận tin báo; BCĐ 389 sẽ xem xét. Cảm ơn bạn. (Tip received.)",
    )


def _audit_refusal(
    request: Request, principal: Principal | None, status: int, resource: str | None = None
) -> None:
    """Audit a refusal unless services.api.refusals does (it audits 400, 413, 414, 422 and 429)."""
    if status not in HANDLER_AUDITED:
        audit_of(request).refused(status, resource=resource)


def triager(
    request: Request, principal: Annotated[Principal, Depends(require(Capability.TRIAGE_TIPS))]
) -> Principal:
    """BCĐ 389's analysts and officers only: the role grants triage, the agency decides whose tips."""
    if not may_triage(principal):
        audit_of(request).refused(403)
        raise HTTPException(403, "only BCĐ 389's analysts and officers triage tips")
    return principal


Triager = Annotated[Principal, Depends(triager)]


class TipOut(BaseModel):
    event_id: str
    case_id: str
    received_at: datetime
    received_via: str
    summary: str
    platform: str | None
    listing_urls: list[str]
    province_code: str | None
    category: str | None
    has_contact: bool = Field(description="Whether the reporter left a contact (kept only as a keyed hash).")
    state: Literal["new", "assigned", "dismissed"]
    agency: str | None
    reason: str | None
    decision_event_id: str | None
    decided_by: str | None
    decided_at: datetime | None


class TipList(BaseModel):
    data: list[TipOut]
    count: int


class AssignBody(BaseModel):
    agency: str = Field(
        max_length=16, description="The agency that takes the tip (publishes its CaseOpened)."
    )
    province_code: str | None = Field(default=None, max_length=2, description="Default: the tip's province.")
    category: str | None = Field(default=None, max_length=64, description="Default: the tip's category.")
    goods: str | None = Field(default=None, max_length=500, description="Goods concerned, if known.")


class DismissBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class Decided(BaseModel):
    event_id: str = Field(description="The event published (deterministic: resending is a no-op).")
    event_type: str
    topic: str
    partition: int
    offset: int


def tip_out(item: TipItem) -> TipOut:
    return TipOut(**{**vars(item), "listing_urls": list(item.listing_urls)})


@router.get("", response_model=TipList, responses=TRIAGE_ERRORS)
def list_tips(
    request: Request,
    principal: Triager,
    state: Annotated[Literal["new", "assigned", "dismissed"] | None, Query()] = None,
) -> TipList:
    """BCĐ 389's tips, newest first (at most 200), with their triage state."""
    found = desk_of(request).tips(principal, state)
    audit_of(request).read(rows=len(found))
    return TipList(data=[tip_out(t) for t in found], count=len(found))


@router.post("/{event_id}/assign", response_model=Decided, responses=TRIAGE_ERRORS)
def assign(request: Request, event_id: uuid.UUID, body: AssignBody, principal: Triager) -> Decided:
    """Hand the tip to an agency: the agency's CaseOpened on the tip's case, listed for BCĐ 389."""
    return _decided(
        request,
        principal,
        str(event_id),
        "CaseOpened",
        lambda desk: desk.assign(principal, str(event_id), **body.model_dump()),
    )


@router.post("/{event_id}/dismiss", response_model=Decided, responses=TRIAGE_ERRORS)
def dismiss(request: Request, event_id: uuid.UUID, body: DismissBody, principal: Triager) -> Decided:
    """Dismiss the tip with a reason: BCĐ 389's CaseClosed (outcome OTHER, the reason as its note)."""
    return _decided(
        request,
        principal,
        str(event_id),
        "CaseClosed",
        lambda desk: desk.dismiss(principal, str(event_id), body.reason),
    )


def _decided(
    request: Request, principal: Principal, event_id: str, event_type: str, act: Callable[[TipDesk], Delivery]
) -> Decided:
    try:
        delivery = act(desk_of(request))
    except TriageRefused as refused:
        _audit_refusal(request, principal, refused.status, event_id)
        raise HTTPException(refused.status, str(refused)) from None
    audit_of(request).read(rows=1, resource=event_id)
    return Decided(
        event_id=delivery.event_id,
        event_type=event_type,
        topic=delivery.topic,
        partition=delivery.partition,
        offset=delivery.offset,
    )
