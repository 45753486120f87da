"""The events a triage decision publishes.

Assigned: the chosen agency's CaseOpened on the tip's own case id — the link to the tip is the case itself
(its timeline holds the tip and the opening; the opening's summary names the tip's event id too), and the
agency goes on publishing into that case from its own systems. Source HOTLINE_TIP; the tip's platform,
links and description are carried over, so the agency sees what it was given even though the tip itself
(with the reporter's hash) stays BCĐ 389's own. Listed for BCĐ 389, which follows up; the agency, as the
data owner, may widen it.

Dismissed: BCĐ 389's CaseClosed on the tip's case with outcome OTHER and the reason as its note. The
contract has no "tip dismissed" event; CaseClosed is the one event that ends a case with a reason, and
OTHER is the honest outcome — NO_VIOLATION would claim an inspection found nothing, and none was made.
The note starts with DISMISSED_PREFIX so readers (and the triage list) tell a dismissal from other closures.

Ids are UUIDv5 of the tip and the decision: a double click or a retry publishes one event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from schemas.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CaseOutcome,
    CaseSource,
    Distribution,
    DistributionLevel,
    new_event,
)
from schemas.validation import check_event
from services.tips.submission import DESK_AGENCY, DESK_UNIT, TIP_NAMESPACE

PRODUCER = "casehub-tip-triage"
DISMISSED_PREFIX = "Tin báo không được thụ lý: "


def assignment_event(
    *,
    tip_event_id: str,
    case_id: str,
    summary: str,
    platform: str | None,
    listing_urls: tuple[str, ...],
    agency: str,
    unit: str,
    province_code: str,
    category: str,
    goods: str,
    now: datetime,
) -> CaseEvent:
    """The agency's CaseOpened for a tip; ContractViolation / ValueError say what is wrong."""
    payload = CaseOpened(
        title=f"Vụ việc từ tin báo {case_id}",
        source=CaseSource.HOTLINE_TIP,
        platform=platform,
        goods=goods,
        province_code=province_code,
        category=category,
        listing_urls=listing_urls,
        summary=f"BCĐ 389 giao từ tin báo {case_id} (sự kiện {tip_event_id}): {summary}",
    )
    event = new_event(
        case_id=case_id,
        agency=agency,
        reporting_unit=unit,
        payload=payload,
        occurred_at=now,
        recorded_at=now,
        producer=PRODUCER,
        event_id=uuid.uuid5(TIP_NAMESPACE, f"assign|{tip_event_id}|{agency}"),
        distribution=Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=(DESK_AGENCY,)),
    )
    check_event(event)
    return event


def dismissal_event(*, tip_event_id: str, case_id: str, reason: str, now: datetime) -> CaseEvent:
    """BCĐ 389's CaseClosed for a dismissed tip."""
    payload = CaseClosed(outcome=CaseOutcome.OTHER, note=f"{DISMISSED_PREFIX}{reason}")
    event = new_event(
        case_id=case_id,
        agency=DESK_AGENCY,
        reporting_unit=DESK_UNIT,
        payload=payload,
        occurred_at=now,
        recorded_at=now,
        producer=PRODUCER,
        event_id=uuid.uuid5(TIP_NAMESPACE, f"dismiss|{tip_event_id}"),
        distribution=Distribution(level=DistributionLevel.OWNER_ONLY),
    )
    check_event(event)
    return event
