"""The alerts inbox of the caller's agency: list with states and filters; acknowledge, assign, close,
reopen (each appended to `alert_actions` and to the audit log)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from schemas.alerts import Alert, AlertRule
from services.api.bounds import MAX_OFFSET
from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.inbox_schemas import InboxActed, InboxEntry, InboxList
from services.api.request_audit import RequestAuditDep
from services.api.schemas import CaseSummary
from services.views.alert_inbox import InboxAction, InboxFilter, InboxRefusal, InboxState, act, inbox
from services.views.visible_cases import visible_cases

router = APIRouter(prefix="/api/inbox", tags=["alerts inbox"])


@router.get("", response_model=InboxList)
def list_inbox(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    state: Annotated[InboxState | None, Query()] = None,
    rule: Annotated[AlertRule | None, Query()] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Current province code.")] = None,
    category: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")] = None,
    seller: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$")] = None,
    mine: Annotated[bool, Query(description="Only alerts assigned to you.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> InboxList:
    """Newest first; `by_state` counts the filtered inbox by state (before the state filter)."""
    viewer = principal.viewer(now)
    wanted = InboxFilter(
        state=state,
        rule=rule.value if rule else None,
        province=province,
        category=category,
        seller=seller,
        assignee=principal.principal_id if mine else None,
    )
    found = inbox(
        connection, principal.agency, viewer, visible_cases(connection, viewer), wanted, limit, offset
    )
    audit.read(rows=len(found.items))
    return InboxList(
        data=[
            InboxEntry(
                alert=Alert.model_validate(i.alert),
                state=i.state.value,
                assignee=i.assignee,
                updated_by=i.updated_by,
                updated_at=i.updated_at,
                cases=[CaseSummary.model_validate(c) for c in i.cases],
            )
            for i in found.items
        ],
        count=found.total,
        by_state=found.by_state,
    )


class InboxActionBody(BaseModel):
    """In the body, not the query: a free-text note is not copied into the audit log's parameters."""

    assignee: str | None = Field(
        default=None, max_length=64, description="assign: a principal of your agency"
    )
    note: str | None = Field(default=None, max_length=2000)


@router.post("/{alert_id}/{action}", response_model=InboxActed)
def act_on_alert(
    request: Request,
    audit: RequestAuditDep,
    alert_id: uuid.UUID,
    action: InboxAction,
    principal: Reader,
    now: NowDep,
    body: InboxActionBody | None = None,
) -> InboxActed:
    """Acknowledge, assign (`{"assignee": …}`), close or reopen your agency's copy of an alert."""
    given = body or InboxActionBody()
    try:
        state = apply_action(
            request,
            str(alert_id),
            action,
            principal.agency,
            principal.principal_id,
            now,
            given.assignee,
            given.note,
        )
    except InboxRefusal as refused:
        audit.refused(refused.status, resource=str(alert_id))
        raise HTTPException(refused.status, str(refused)) from None
    audit.read(rows=1, resource=str(alert_id))
    return InboxActed(alert_id=str(alert_id), state=state.value)


def apply_action(
    request: Request,
    alert_id: str,
    action: InboxAction,
    agency: str | None,
    actor: str,
    now: datetime,
    assignee: str | None,
    note: str | None,
) -> InboxState:
    """One transaction on the app's engine (the read connection of a request does not write)."""
    with request.app.state.engine.begin() as connection:
        return act(connection, agency, actor, alert_id, action, now, assignee=assignee, note=note)
