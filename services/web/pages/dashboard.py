"""Tổng quan: KPI tiles and charts of the reader's visible cases (by month, bucket, category, province,
force and platform), each bar a link to the matching case search."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.reports.labels import label
from services.store.queries.case_filter import Page
from services.views.case_search import search_cases
from services.views.visible_cases import visible_cases
from services.views.visible_stats import visible_aggregate
from services.web.charts import Bar, bars, columns
from services.web.formatting import millions, whole
from services.web.i18n import language
from services.web.pages.access import PageReader
from services.web.pages.page_filters import CaseFilterForm
from services.web.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    form: CaseFilterForm,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    connection: ConnectionDep,
) -> Response:
    lang = language(request)
    where, error, raw = form.where, form.error, form.raw
    viewer = principal.viewer(now)
    cases = visible_cases(connection, viewer)
    totals = visible_aggregate(connection, viewer, where)[0]
    by_month = _months(visible_aggregate(connection, viewer, where, period="month"))

    def link(**params: str | None) -> str:
        merged = {k: v for k, v in {**raw, **params}.items() if v}
        return "/cases?" + urlencode(merged)

    def grouped(dimension: str, kind: str, limit: int = 10) -> list[Bar]:
        rows = sorted(visible_aggregate(connection, viewer, where, [dimension]), key=lambda r: -r["cases"])
        rows = rows[:limit]
        return [
            Bar(label(kind, r[dimension], lang), r["cases"], link(**{dimension: r[dimension]})) for r in rows
        ]

    recent, _ = search_cases(connection, viewer, where, Page(limit=8), cases)
    in_progress = totals["cases"] - sum(
        r["cases"]
        for r in visible_aggregate(connection, viewer, where, ["status"])
        if r["status"] == "closed"
    )
    charts = {
        "cases_month": columns([Bar(m, r["cases"]) for m, r in by_month], whole),
        "fines_month": columns([Bar(m, r["fines_vnd"]) for m, r in by_month], millions),
        "bucket": bars(grouped("bucket", "bucket"), whole),
        "category": bars(grouped("category", "category"), whole),
        "province": bars(grouped("province", "province"), whole),
        "agency": bars(grouped("agency", "agency_short"), whole),
        "platform": bars(grouped("platform", "platform"), whole),
    }
    audit.read(rows=len(recent))
    context = {
        "totals": totals,
        "in_progress": in_progress,
        "charts": charts,
        "recent": recent,
        "error": error,
    }
    return render(request, "dashboard.html", principal, {**context, "raw": raw})


def _months(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """Every month from the first to the last with data (at most the last 24), empty months as zero."""
    found = {str(r["month"]): r for r in rows if r.get("month")}
    if not found:
        return []
    first, last = min(found), max(found)
    year, month = int(first[:4]), int(first[5:])
    series: list[tuple[str, dict[str, int]]] = []
    while f"{year:04d}-{month:02d}" <= last:
        row = found.get(f"{year:04d}-{month:02d}", {"cases": 0, "fines_vnd": 0})
        counts = {"cases": int(row["cases"]), "fines_vnd": int(row["fines_vnd"])}
        series.append((f"{month:02d}/{year % 100:02d}", counts))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return series[-24:]
