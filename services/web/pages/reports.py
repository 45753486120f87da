"""Báo cáo định kỳ BCĐ 389: the report for a period on screen, with the workbook one click away."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.reports.bcd389 import BadPeriod, build_report, parse_period
from services.store.queries.case_filter import CaseFilter
from services.web.pages.access import PageReader
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/reports", response_class=HTMLResponse)
def report_page(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    text = request.query_params.get("period", "").strip() or str(now.year)
    try:
        period = parse_period(text)
    except BadPeriod as exc:
        return render(
            request, "report.html", principal, {"period_text": text, "error": str(exc), "report": None}
        )
    report = build_report(connection, principal.viewer(now), CaseFilter(), period, now)
    audit.read(rows=len(report.by_bucket_and_agency))
    return render(request, "report.html", principal, {"period_text": text, "error": None, "report": report})
