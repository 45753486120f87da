"""Exports of a filtered case list, for analysts: CSV or XLSX, defused against formula injection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from services.api.deps import ConnectionDep, Exporter, NowDep
from services.api.filters import case_filter, page
from services.api.request_audit import RequestAuditDep
from services.reports.case_export import COLUMNS, cases_csv, cases_xlsx
from services.store.queries.case_filter import CaseFilter, Page
from services.views.case_search import TooManyToExport, all_matching

router = APIRouter(prefix="/api/export", tags=["export"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", response_class=Response, responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def export_cases(
    audit: RequestAuditDep,
    principal: Exporter,
    connection: ConnectionDep,
    now: NowDep,
    where: Annotated[CaseFilter, Depends(case_filter)],
    order: Annotated[Page, Depends(page)],
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
    lang: Annotated[str, Query(pattern="^(vi|en)$")] = "vi",
) -> Response:
    """Every case matching the filters that the caller may see (the same rows as /api/cases)."""
    try:
        rows = all_matching(connection, principal.viewer(now), where, order, [name for name, _ in COLUMNS])
    except TooManyToExport as refused:
        raise HTTPException(422, str(refused)) from None
    audit.read(rows=len(rows))
    stamp = now.strftime("%Y%m%d-%H%M")
    if format == "xlsx":
        body, media = cases_xlsx(rows, lang), XLSX
    else:
        body, media = cases_csv(rows, lang), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="vu-viec-{stamp}.{format}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
