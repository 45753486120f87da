"""Response models of the analyst API, separate from the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_validator


class CaseSummary(BaseModel):
    case_id: str
    status: str
    title: str | None
    opened_by: str | None
    agencies: list[str]
    province_code: str | None
    category: str | None
    channel: str | None
    platform: str | None
    goods: str | None
    total_fines_vnd: int
    event_count: int
    first_event_at: datetime
    last_event_at: datetime

    @field_validator("agencies", mode="before")
    @classmethod
    def _split_agencies(cls, value: Any) -> Any:
        return [a for a in value.split(",") if a] if isinstance(value, str) else value


class CaseList(BaseModel):
    data: list[CaseSummary]
    count: int


class TimelineEvent(BaseModel):
    event_id: str
    event_type: str
    agency: str
    reporting_unit: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]


class CaseDetail(CaseSummary):
    timeline: list[TimelineEvent]
