"""Response models of statistics, the BCĐ 389 report, public open data and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class StatsAnswer(BaseModel):
    """One row per group: the group's keys (period, province, ...) and the measures."""

    data: list[dict[str, Any]]
    count: int
    period: str | None
    group_by: list[str]
    totals: dict[str, int]


class ReportAnswer(BaseModel):
    period: str
    first_day: date
    last_day: date
    generated_at: datetime
    by_bucket_and_agency: list[dict[str, Any]]
    by_bucket: list[dict[str, Any]]
    by_province: list[dict[str, Any]]
    totals: dict[str, Any]


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    principal_id: str | None
    agency: str | None
    role: str | None
    method: str
    endpoint: str
    resource: str | None
    filters: dict[str, Any]
    rows_returned: int
    status_code: int
    prev_hash: str = Field(description="row_hash of the previous entry (the chain).")
    row_hash: str


class AuditList(BaseModel):
    data: list[AuditEntryOut]
    count: int
    chain_intact: bool | None = Field(
        description="With verify=true: every hash follows from its predecessor."
    )
