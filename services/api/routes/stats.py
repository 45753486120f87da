"""Statistics over the caller's visible cases and the BCĐ 389 periodic report (JSON and XLSX)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.filters import case_filter
from services.api.request_audit import RequestAuditDep
from services.api.stats_schemas import ReportAnswer, StatsAnswer
from services.reports.bcd389 import BadPeriod, Period, build_report, parse_period
from services.reports.report_xlsx import report_xlsx
from services.store.queries.case_filter import CaseFilter
from services.store.queries.stats import DIMENSIONS, PERIODS, totals_of
from services.views.visible_stats import visible_aggregate

router = APIRouter(prefix="/api/stats", tags=["statistics"])
FilterDep = Annotated[CaseFilter, Depends(case_filter)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def grouping(
    group_by: Annotated[str | None, Query(description="Comma-separated: " + ", ".join(DIMENSIONS))] = None,
    period: Annotated[str | None, Query(description="Also group by " + " | ".join(PERIODS))] = None,
) -> tuple[list[str], str | None]:
    names = [name.strip() for name in (group_by or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise HTTPException(422, f"cannot group by {', '.join(unknown)} (one of {', '.join(DIMENSIONS)})")
    if period is not None and period not in PERIODS:
        raise HTTPException(422, f"period must be one of {', '.join(PERIODS)}")
    return list(dict.fromkeys(names)), period


GroupingDep = Annotated[tuple[list[str], str | None], Depends(grouping)]


def report_period(
    period: Annotated[str, Query(description="YYYY, YYYY-Qn or YYYY-MM, e.g. 2025-Q4")],
) -> Period:
    try:
        return parse_period(period)
    except BadPeriod as exc:
        raise HTTPException(422, str(exc)) from None


PeriodDep = Annotated[Period, Depends(report_period)]


@router.get("", response_model=StatsAnswer)
def stats(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    where: FilterDep,
    by: GroupingDep,
) -> StatsAnswer:
    """Cases, penalized and referred cases, fines and goods value grouped by period and dimensions."""
    dimensions, period = by
    viewer = principal.viewer(now)
    rows = visible_aggregate(connection, viewer, where, dimensions, period)
    # grouped: the groups add up to the totals (one statement, not a second pass over the same rows)
    totals = totals_of(rows) if dimensions or period else rows[0]
    audit.read(rows=len(rows))
    return StatsAnswer(data=rows, count=len(rows), period=period, group_by=dimensions, totals=totals)


@router.get("/report", response_model=ReportAnswer)
def report(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    where: FilterDep,
    period: PeriodDep,
) -> ReportAnswer:
    """The BCĐ 389 periodic report for a month, quarter or year."""
    built = build_report(connection, principal.viewer(now), where, period, now)
    audit.read(rows=len(built.by_bucket_and_agency))
    return ReportAnswer(
        period=period.label,
        first_day=period.first_day,
        last_day=period.last_day,
        generated_at=built.generated_at,
        by_bucket_and_agency=built.by_bucket_and_agency,
        by_bucket=built.by_bucket,
        by_province=built.by_province,
        totals=built.totals,
    )


@router.get("/report.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def report_spreadsheet(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    where: FilterDep,
    period: PeriodDep,
    lang: Annotated[str, Query(pattern="^(vi|en)$")] = "vi",
) -> Response:
    """The same report as a workbook to file or forward."""
    built = build_report(connection, principal.viewer(now), where, period, now)
    body = report_xlsx(built, lang, issued_by=principal.display_name)
    audit.read(rows=len(built.by_bucket_and_agency))
    filename = f"bao-cao-bcd389-{period.label}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
