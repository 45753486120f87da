"""Response models of the alerts inbox: an alert with its state in the caller's agency inbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from schemas.alerts import Alert
from services.api.schemas import CaseSummary


class InboxEntry(BaseModel):
    alert: Alert
    state: str = Field(description="new, acknowledged, assigned or closed — in your agency's inbox")
    assignee: str | None
    updated_by: str | None
    updated_at: datetime | None
    cases: list[CaseSummary] = Field(description="The alert's cases you may open now.")


class InboxList(BaseModel):
    data: list[InboxEntry]
    count: int
    by_state: dict[str, int] = Field(description="How many alerts of the filtered inbox are in each state.")


class InboxActed(BaseModel):
    alert_id: str
    state: str
