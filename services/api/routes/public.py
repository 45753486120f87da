"""Open data: aggregated results anyone may read — only events shared with every agency and out of
embargo count, and nothing names a person, a seller or a case."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from services.access.principal import ANONYMOUS
from services.api.deps import ConnectionDep, NowDep, PublicReader
from services.api.filters import case_filter
from services.api.request_audit import RequestAuditDep
from services.api.stats_schemas import StatsAnswer
from services.store.queries.stats import PERIODS, totals_of
from services.views.visible_stats import visible_aggregate

router = APIRouter(prefix="/api/public", tags=["public"])
PUBLIC_DIMENSIONS = ("province", "agency", "bucket", "category", "platform")


@router.get("/stats", response_model=StatsAnswer)
def public_stats(
    audit: RequestAuditDep,
    principal: PublicReader,
    connection: ConnectionDep,
    now: NowDep,
    period: Annotated[str, Query(description=" | ".join(PERIODS))] = "month",
    group_by: Annotated[
        str | None, Query(description="Comma-separated: " + ", ".join(PUBLIC_DIMENSIONS))
    ] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    province: str | None = None,
    bucket: str | None = None,
) -> StatsAnswer:
    """Cases, fines and goods value by period (and province, agency, bucket, category, platform)."""
    if period not in PERIODS:
        raise HTTPException(422, f"period must be one of {', '.join(PERIODS)}")
    names = [n.strip() for n in (group_by or "").split(",") if n.strip()]
    if unknown := [n for n in names if n not in PUBLIC_DIMENSIONS]:
        raise HTTPException(
            422, f"cannot group by {', '.join(unknown)} (one of {', '.join(PUBLIC_DIMENSIONS)})"
        )
    where = case_filter(date_from=date_from, date_to=date_to, province=province, bucket=bucket)
    public = ANONYMOUS.viewer(now)  # the public's view, whoever asks
    rows = visible_aggregate(connection, public, where, names, period)
    totals = totals_of(rows)  # always grouped by a period: the groups add up to the totals
    audit.read(rows=len(rows))
    return StatsAnswer(data=rows, count=len(rows), period=period, group_by=names, totals=totals)
