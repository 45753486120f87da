"""Referrals made and answered from the hub, as the events the agency publishes on its own topic: a
CaseReferred (from an alert or a case), and the answer — a ReactionRecorded on the referred case that
names the referral event (accepted, declined, or the action it took).

The event id is derived from the referral, the answering agency, the answer and the note (UUIDv5): the
same answer sent twice — a double click, a retry after a timeout — is one event, which the materializer
stores once; a different answer or note is a new event. Its distribution lists the referring agency
(LISTED_AGENCIES): the answer goes to whoever asked, and the answering agency may widen it in its own
system — sharing less by default, as the data owner decides.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from schemas.events import (
    CaseEvent,
    CaseReferred,
    Distribution,
    DistributionLevel,
    ReactionKind,
    ReactionRecorded,
    ReferralKind,
)

ANSWER_NAMESPACE = uuid.UUID("0c3f5a8e-7d21-5b9e-8f44-389a1e47a5e1")
PRODUCER = "casehub-web"


class Answer(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    ACTION = "action"


ACTIONS = (
    ReactionKind.MEASURE_TAKEN,
    ReactionKind.INVESTIGATION_OPENED,
    ReactionKind.GOODS_FOUND,
    ReactionKind.GOODS_NOT_FOUND,
    ReactionKind.SUBJECT_ALSO_KNOWN,
    ReactionKind.OTHER,
)
"""What "report action" may say (accept and decline have their own kinds)."""


def reaction_kind(answer: Answer, action: ReactionKind | None) -> ReactionKind:
    if answer is Answer.ACCEPT:
        return ReactionKind.ACKNOWLEDGED
    if answer is Answer.DECLINE:
        return ReactionKind.DISAGREED
    if action not in ACTIONS:
        raise ValueError(f"report an action as one of {', '.join(a.value for a in ACTIONS)}")
    return action


def answer_event(
    *,
    referral_event_id: str,
    case_id: str,
    referring_agency: str,
    agency: str,
    unit: str,
    kind: ReactionKind,
    note: str | None,
    now: datetime,
) -> CaseEvent:
    """The ReactionRecorded the answering agency publishes; ValueError (pydantic's) for a bad note."""
    event_id = uuid.uuid5(ANSWER_NAMESPACE, f"{referral_event_id}|{agency}|{kind.value}|{note or ''}")
    payload = ReactionRecorded(
        reacting_agency=agency, kind=kind, note=note or None, refers_to_event_id=uuid.UUID(referral_event_id)
    )
    return _listed_event(
        event_id=event_id,
        payload=payload,
        listed_agency=referring_agency,
        case_id=case_id,
        agency=agency,
        unit=unit,
        now=now,
    )


def referral_event(
    *,
    case_id: str,
    agency: str,
    unit: str,
    to_agency: str,
    kind: ReferralKind,
    reason: str,
    now: datetime,
) -> CaseEvent:
    """A CaseReferred the referring agency publishes (from an alert or a case), listed for the receiver;
    the id is derived from the case, both agencies, the kind and the reason, so a resend is one event."""
    event_id = uuid.uuid5(ANSWER_NAMESPACE, f"referral|{case_id}|{agency}|{to_agency}|{kind.value}|{reason}")
    payload = CaseReferred(to_agency=to_agency, kind=kind, reason=reason)
    return _listed_event(
        event_id=event_id,
        payload=payload,
        listed_agency=to_agency,
        case_id=case_id,
        agency=agency,
        unit=unit,
        now=now,
    )


def _listed_event(
    *,
    event_id: uuid.UUID,
    payload: ReactionRecorded | CaseReferred,
    listed_agency: str,
    case_id: str,
    agency: str,
    unit: str,
    now: datetime,
) -> CaseEvent:
    """The envelope both sides of a referral publish: written now by the web producer, and listed for
    the one other agency concerned (the receiver of a referral, the asker of an answer) — shared no wider
    unless the data owner widens it in its own system."""
    return CaseEvent(
        event_id=event_id,
        event_type=payload.event_type,
        case_id=case_id,
        agency=agency,
        reporting_unit=unit,
        occurred_at=now,
        recorded_at=now,
        producer=PRODUCER,
        distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=(listed_agency,)),
        payload=payload,
    )
