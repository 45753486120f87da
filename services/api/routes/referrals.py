"""Referrals answered: the caller's agency sees the referrals addressed to it (age, deadline, its answers)
and answers one — accepted, declined, or the action taken — which the hub publishes as the agency's
ReactionRecorded on the agency's own topic, through the same Publisher every agency system uses."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError

from producers.publisher import Publisher
from producers.referral_events import Answer, answer_event, reaction_kind, referral_event
from schemas.events import CaseEvent, ReactionKind, ReferralKind
from schemas.outages import BrokerUnavailable
from schemas.reference import agencies
from services.access.principal import Principal
from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep, audit_of
from services.api.schemas import CaseSummary
from services.bootstrap import build_publisher
from services.settings import Settings
from services.views.dossier_totals import cases_of
from services.views.incoming_referrals import IncomingReferral, incoming
from services.views.visible_cases import visible_cases

router = APIRouter(prefix="/api/referrals", tags=["referrals"])
_LOCK = threading.Lock()


class AnswerItem(BaseModel):
    kind: str
    note: str | None
    occurred_at: datetime


class ReferralItem(BaseModel):
    event_id: str
    case_id: str
    from_agency: str
    kind: str
    reason: str
    document_number: str | None
    referred_at: datetime
    deadline: datetime = Field(description="referred_at + settings.alert_referral_days (REFERRAL_OVERDUE)")
    age_days: int
    overdue: bool
    answers: list[AnswerItem]
    case: CaseSummary | None


class ReferralList(BaseModel):
    data: list[ReferralItem]
    count: int


class AnswerBody(BaseModel):
    answer: Answer
    action: ReactionKind | None = Field(default=None, description="With answer=action: what was done.")
    note: str | None = Field(default=None, max_length=2000)


class Answered(BaseModel):
    event_id: str = Field(description="The ReactionRecorded published (deterministic: resending is a no-op).")
    topic: str
    partition: int
    offset: int


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.ops.settings
    return settings


def publisher_of(request: Request) -> Publisher:
    """One Publisher per app, built on first use (an API that never answers never connects to Kafka)."""
    with _LOCK:
        if getattr(request.app.state, "referral_publisher", None) is None:
            request.app.state.referral_publisher = build_publisher(settings_of(request))
        publisher: Publisher = request.app.state.referral_publisher
        return publisher


def referrals_for(
    request: Request, connection: Any, principal: Principal, now: datetime, event_id: str | None = None
) -> list[IncomingReferral]:
    if principal.agency is None:
        return []
    viewer = principal.viewer(now)
    days = settings_of(request).alert_referral_days
    return incoming(connection, principal.agency, viewer, visible_cases(connection, viewer), days, event_id)


@router.get("", response_model=ReferralList)
def list_referrals(
    request: Request,
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    waiting: Annotated[bool, Query(description="Only those your agency has not answered.")] = False,
) -> ReferralList:
    """Referrals to your agency, newest first."""
    found = [r for r in referrals_for(request, connection, principal, now) if not (waiting and r.answered)]
    audit.read(rows=len(found))
    return ReferralList(data=[_item(r, now) for r in found], count=len(found))


@router.post("/{referral_event_id}/answer", response_model=Answered)
def answer(
    request: Request,
    audit: RequestAuditDep,
    referral_event_id: uuid.UUID,
    body: AnswerBody,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
) -> Answered:
    """Publish your agency's answer on its topic; it reaches the store through the materializer."""
    try:
        return publish_answer(request, connection, principal, now, str(referral_event_id), body)
    except AnswerRefused as refused:
        audit.refused(refused.status, resource=str(referral_event_id))
        raise HTTPException(refused.status, str(refused)) from None


class AnswerRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def publish_answer(
    request: Request, connection: Any, principal: Principal, now: datetime, referral_id: str, body: AnswerBody
) -> Answered:
    """Shared by the API and the page: check, build, publish, audit."""
    found = referrals_for(request, connection, principal, now, referral_id)
    if not found:
        raise AnswerRefused(404, f"no referral {referral_id} to your agency")
    referral = found[0]
    try:
        kind = reaction_kind(body.answer, body.action)
        event = answer_event(
            referral_event_id=referral.event_id,
            case_id=referral.case_id,
            referring_agency=referral.from_agency,
            agency=str(principal.agency),
            unit=principal.display_name[:200],
            kind=kind,
            note=body.note,
            now=now,
        )
    except (ValueError, ValidationError) as bad:
        raise AnswerRefused(422, _first_line(bad)) from None
    answered = publish_one(request, event)
    audit_of(request).read(rows=1, resource=referral_id)
    return answered


def publish_one(request: Request, event: CaseEvent) -> Answered:
    """Through the app's Publisher, to the event's agency topic; AnswerRefused says why not."""
    try:
        report = publisher_of(request).publish([event])
    except BrokerUnavailable as down:
        raise AnswerRefused(503, f"not published: {down}") from None
    if report.failed:
        reason = report.failed[0][1]
        raise AnswerRefused(422 if report.rejected else 503, f"not published: {reason}")
    delivery = report.deliveries[0]
    return Answered(
        event_id=str(event.event_id),
        topic=delivery.topic,
        partition=delivery.partition,
        offset=delivery.offset,
    )


class NewReferral(BaseModel):
    case_id: str = Field(max_length=64)
    to_agency: str = Field(max_length=16)
    kind: ReferralKind = ReferralKind.OTHER
    reason: str = Field(min_length=1, max_length=2000)


@router.post("", response_model=Answered)
def refer(
    request: Request, body: NewReferral, principal: Reader, connection: ConnectionDep, now: NowDep
) -> Answered:
    """Refer a case you may see to another agency: your agency's CaseReferred, on your agency's topic."""
    try:
        return publish_referral(request, connection, principal, now, body)
    except AnswerRefused as refused:
        raise HTTPException(refused.status, str(refused)) from None


def publish_referral(
    request: Request, connection: Any, principal: Principal, now: datetime, body: NewReferral
) -> Answered:
    if principal.agency is None:
        raise AnswerRefused(403, "only a member of an agency refers its cases")
    if body.to_agency not in agencies() or body.to_agency == principal.agency:
        raise AnswerRefused(422, f"refer to another agency: one of {', '.join(sorted(agencies()))}")
    viewer = principal.viewer(now)
    if not body.case_id.isprintable() or not cases_of(
        connection, visible_cases(connection, viewer), [body.case_id]
    ):
        raise AnswerRefused(404, f"no case {body.case_id[:64]!r} for you")
    try:
        event = referral_event(
            case_id=body.case_id,
            agency=principal.agency,
            unit=principal.display_name[:200],
            to_agency=body.to_agency,
            kind=body.kind,
            reason=body.reason,
            now=now,
        )
    except (ValueError, ValidationError) as bad:
        raise AnswerRefused(422, _first_line(bad)) from None
    answered = publish_one(request, event)
    audit_of(request).read(rows=1, resource=body.case_id)
    return answered


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error).splitlines()[0]


def _item(r: IncomingReferral, now: datetime) -> ReferralItem:
    return ReferralItem(
        event_id=r.event_id,
        case_id=r.case_id,
        from_agency=r.from_agency,
        kind=r.kind,
        reason=r.reason,
        document_number=r.document_number,
        referred_at=r.referred_at,
        deadline=r.deadline,
        age_days=r.age_days,
        overdue=r.overdue(now),
        answers=[AnswerItem.model_validate(a) for a in r.answers],
        case=CaseSummary.model_validate(r.case) if r.case else None,
    )
