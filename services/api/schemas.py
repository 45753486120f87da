"""Response models of the analyst API, separate from the tables and from the views they are built from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class CaseSummary(BaseModel):
    """A case as the caller sees it: fields and totals come only from events visible to them."""

    case_id: str
    status: str
    title: str | None
    opened_by: str | None
    agencies: list[str]
    province_code: str | None = Field(description="Province code as written on the case (dated).")
    current_province_code: str | None = Field(description="The 34-unit province it belongs to now.")
    category: str | None
    bucket: str | None = Field(description="BCĐ 389 reporting bucket.")
    channel: str | None
    platform: str | None
    goods: str | None
    total_fines_vnd: int
    goods_value_vnd: int
    outcome: str | None
    closed_at: datetime | None
    event_count: int
    first_event_at: datetime
    last_event_at: datetime


class CaseList(BaseModel):
    data: list[CaseSummary]
    count: int


class TimelineEvent(BaseModel):
    event_id: str
    event_type: str
    agency: str = Field(description="The agency that published the event.")
    reporting_unit: str
    occurred_at: datetime
    recorded_at: datetime
    level: str = Field(description="Distribution: ALL_AGENCIES, LISTED_AGENCIES or OWNER_ONLY.")
    shared_with: list[str]
    handling: str | None = Field(description="Handling code (SIENA H0-H3 equivalent) the owner attached.")
    embargo_until: datetime | None
    payload: dict[str, Any]
    withheld: list[str] = Field(description="Payload fields only the publishing agency may read.")


class CaseDetail(CaseSummary):
    timeline: list[TimelineEvent]
    subject_ids: list[str]


class SubjectSummary(BaseModel):
    subject_id: str
    kind: str
    display_name: str | None
    platforms: list[str]
    agencies: list[str]
    case_count: int
    first_seen_at: datetime
    last_seen_at: datetime


class SubjectList(BaseModel):
    data: list[SubjectSummary]
    count: int


class IdentifierSeen(BaseModel):
    kind: str
    value: str
    agencies: list[str]
    first_seen_at: datetime
    last_seen_at: datetime


class Tally(BaseModel):
    key: str | None
    cases: int
    fines_vnd: int
    goods_value_vnd: int


class Dossier(BaseModel):
    """A seller across agencies and platforms, from what the caller may see."""

    subject: SubjectSummary
    names: list[str]
    identifiers: list[IdentifierSeen]
    cases: list[CaseSummary] = Field(description="One page of the cases, newest activity first.")
    case_count: int = Field(description="Cases of the seller the caller may see (every page).")
    total_fines_vnd: int
    total_goods_value_vnd: int
    by_agency: list[Tally]
    by_platform: list[Tally]


class Holder(BaseModel):
    agency: str
    agency_name: str
    visible_to_you: bool = Field(description="False: ask the agency; its record is not shared with you.")


class HitAnswer(BaseModel):
    """Hit / no-hit: who holds something on an identifier, never what."""

    identifier: str
    hit: bool
    holders: list[Holder]
