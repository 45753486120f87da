"""Consumer lag as JSON and as a page, and Prometheus metrics of the API process: for the ops role only
(topic volumes and last event times per agency say more than an anonymous caller may know)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from schemas.outages import BrokerUnavailable
from services.api.deps import Operator
from services.api.request_audit import RequestAuditDep
from services.ops.api_monitor import ApiMonitor
from services.ops.lag import LagReport, UnknownGroup, consumer_lag
from services.web.pages.access import PageOperator
from services.web.templates import render

router = APIRouter(tags=["ops"])
GroupQuery = Annotated[str | None, Query(description="One consumer group; default: every group.")]
PAGE_REFRESH_S = 5


def get_monitor(request: Request) -> ApiMonitor:
    monitor: ApiMonitor = request.app.state.ops
    return monitor


MonitorDep = Annotated[ApiMonitor, Depends(get_monitor)]


def fresh_report(monitor: ApiMonitor, group: str | None) -> LagReport:
    """Computed for this request (never a cached sample): 404 for an unknown group, 503 without a broker."""
    try:
        cluster = monitor.open_cluster()
        try:
            return consumer_lag(
                cluster, monitor.window, [group] if group else None, expected=monitor.expected
            )
        finally:
            cluster.close()
    except UnknownGroup as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except BrokerUnavailable as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc


@router.get(
    "/api/ops/lag",
    response_model=LagReport,
    responses={404: {"description": "Unknown group"}, 503: {"description": "Broker unreachable"}},
)
def lag(
    audit: RequestAuditDep,
    principal: Operator,
    monitor: MonitorDep,
    group: GroupQuery = None,
) -> LagReport:
    """Lag per group and partition, now, with Burrow's status over each group's commit history (ops role:
    per-agency topic volumes and last event times are not for every reader)."""
    report = fresh_report(monitor, group)
    audit.read(rows=len(report.groups))
    return report


@router.get("/ops/lag", response_class=HTMLResponse, include_in_schema=False)
def lag_page(
    request: Request, principal: PageOperator, monitor: MonitorDep, group: GroupQuery = None
) -> Response:
    """Độ trễ của consumer: the same report, server-rendered, refreshing itself (ops role)."""
    context: dict[str, object] = {
        "group": group,
        "refresh_s": PAGE_REFRESH_S,
        "window_intervals": monitor.window.intervals,
        "window_min_distance_s": monitor.window.min_distance_s,
        "groups": [],
        "error": None,
        "generated_at": "—",
    }
    status = 200
    try:
        report = fresh_report(monitor, group)
        context |= {"groups": report.groups, "generated_at": f"{report.generated_at:%Y-%m-%d %H:%M:%S} UTC"}
    except HTTPException as exc:
        status, context["error"] = exc.status_code, exc.detail
    return render(request, "ops_lag.html", principal, context, status_code=status)


@router.get("/metrics", include_in_schema=False)
def metrics(_: Operator, monitor: MonitorDep) -> Response:
    """Prometheus exposition: lag gauges of every group (sampled) and the process collectors. Scraped with
    an ops principal's token (Prometheus `authorization: {credentials: ...}`); not audited per scrape."""
    return Response(generate_latest(monitor.registry), media_type=CONTENT_TYPE_LATEST)
