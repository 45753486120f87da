"""Tra cứu vụ việc (search with filters, sorting, pages, exports) and the case page with its timeline."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from schemas.reference import Bucket, agencies, categories_on, platforms, provinces_on
from services.api.deps import ConnectionDep, NowDep
from services.api.filters import STATUSES
from services.api.request_audit import RequestAuditDep
from services.ascii_number import ascii_number
from services.store.queries.case_filter import Page
from services.views.case_detail import case_detail
from services.views.case_search import EXPORT_LIMIT, search_cases
from services.web.event_summary import summary
from services.web.i18n import language
from services.web.pages.access import PageReader
from services.web.pages.page_filters import CaseFilterForm
from services.web.templates import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
SORTS = {
    "-last_event_at": "sort_recent",
    "-first_event_at": "sort_opened",
    "-total_fines_vnd": "sort_fines",
    "-goods_value_vnd": "sort_goods",
}


@router.get("/cases", response_class=HTMLResponse)
def search_page(
    request: Request,
    form: CaseFilterForm,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    connection: ConnectionDep,
) -> Response:
    where, error, raw = form.where, form.error, form.raw
    sort = request.query_params.get("sort", "-last_event_at")
    sort = sort if sort in SORTS else "-last_event_at"
    page_text = request.query_params.get("page", "1")
    wanted = ascii_number(page_text) or 0
    number = wanted if wanted > 0 else 1
    paging = Page(limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, sort=sort.lstrip("-"), descending=True)
    rows, count = search_cases(connection, principal.viewer(now), where, paging)
    audit.read(rows=len(rows))
    query = {k: v for k, v in raw.items() if v}
    context = {
        "rows": rows,
        "count": count,
        "raw": raw,
        "error": error,
        "sort": sort,
        "sorts": SORTS,
        "page": number,
        "first": paging.offset + 1 if rows else 0,
        "last": paging.offset + len(rows),
        "prev_url": _url({**query, "sort": sort, "page": str(number - 1)}) if number > 1 else None,
        "next_url": _url({**query, "sort": sort, "page": str(number + 1)})
        if paging.offset + len(rows) < count
        else None,
        "export_query": urlencode({**query, "sort": sort}),
        "export_limit": EXPORT_LIMIT,
        "choices": _choices(),
    }
    return render(request, "cases.html", principal, context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    case_id: str,
    connection: ConnectionDep,
) -> Response:
    detail = case_detail(connection, principal.viewer(now), case_id)
    if detail is None:
        audit.refused(404, resource=case_id)
        return render(request, "case.html", principal, {"detail": None, "case_id": case_id}, status_code=404)
    audit.read(rows=len(detail.timeline), resource=case_id)
    lang = language(request)
    entries = [(entry, summary(entry, lang)) for entry in detail.timeline]
    return render(request, "case.html", principal, {"detail": detail, "case_id": case_id, "entries": entries})


def _url(params: dict[str, str]) -> str:
    return "/cases?" + urlencode(params)


def _choices() -> dict[str, list[str]]:
    today = date.today()
    return {
        "agency": sorted(a for a, row in agencies().items() if row.publishes),
        "province": [p.code for p in provinces_on(today)],
        "category": [c.code for c in categories_on(today)],
        "bucket": [b.value for b in Bucket],
        "status": list(STATUSES),
        "platform": sorted(platforms()),
    }
