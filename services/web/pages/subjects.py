"""Tra cứu đối tượng (find a seller), the seller dossier, and hit / no-hit ("who else knows?")."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from services.api.bounds import MAX_TEXT
from services.api.deps import ConnectionDep, NowDep
from services.api.request_audit import RequestAuditDep
from services.ascii_number import ascii_number
from services.views import subjects
from services.views.visible_cases import visible_cases
from services.web.pages.access import PageReader
from services.web.templates import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100
MAX_PAGE = 10_000
"""A dossier shows its cases a page at a time (a seller may have tens of thousands); the totals cover all."""


@router.get("/subjects", response_class=HTMLResponse)
def find_page(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    identifier = request.query_params.get("identifier", "").strip()
    name = request.query_params.get("name", "").strip()
    too_long(identifier=identifier, name=name)
    found = None
    if identifier or name:
        viewer = principal.viewer(now)
        cases = visible_cases(connection, viewer)
        found = (
            subjects.find_by_identifier(connection, viewer, cases, identifier)
            if identifier
            else subjects.find_by_name(connection, viewer, cases, name)
        )
        audit.read(rows=len(found))
    context = {"identifier": identifier, "name": name, "found": found}
    return render(request, "subjects.html", principal, context)


@router.get("/subjects/hits", response_class=HTMLResponse)
def hits_page(
    request: Request, principal: PageReader, now: NowDep, audit: RequestAuditDep, connection: ConnectionDep
) -> Response:
    identifier = request.query_params.get("identifier", "").strip()
    too_long(identifier=identifier)
    holders = None
    if len(identifier) >= 3:
        holders = subjects.holders(connection, principal.viewer(now), identifier)
        audit.read(rows=len(holders))
    return render(request, "hits.html", principal, {"identifier": identifier, "holders": holders})


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def dossier_page(
    request: Request,
    principal: PageReader,
    now: NowDep,
    audit: RequestAuditDep,
    subject_id: str,
    connection: ConnectionDep,
) -> Response:
    viewer = principal.viewer(now)
    cases = visible_cases(connection, viewer)
    page_text = request.query_params.get("page", "1")
    wanted = ascii_number(page_text) or 0  # any page number that is not one means the first page
    number = wanted if 0 < wanted <= MAX_PAGE else 1
    offset = (number - 1) * PAGE_SIZE
    found = subjects.dossier(connection, viewer, cases, subject_id, PAGE_SIZE, offset)
    if found is None:
        audit.refused(404, resource=subject_id)
        return render(request, "dossier.html", principal, {"dossier": None, "subject_id": subject_id}, 404)
    page = found.cases
    audit.read(rows=len(page.rows), resource=subject_id)
    here = f"/subjects/{quote(subject_id, safe='')}?page="
    context = {
        "dossier": found,
        "subject_id": subject_id,
        "rows": page.rows,
        "count": page.total,
        "first": offset + 1 if page.rows else 0,
        "last": offset + len(page.rows),
        "prev_url": f"{here}{number - 1}" if number > 1 else None,
        "next_url": f"{here}{number + 1}" if offset + len(page.rows) < page.total else None,
        "fines": page.fines_vnd,
        "goods_value": page.goods_value_vnd,
        "by_agency": page.by_agency,
        "by_platform": page.by_platform,
    }
    return render(request, "dossier.html", principal, context)


def too_long(**values: str) -> None:
    """The API's bound on typed text, for the pages (422, audited like the API's)."""
    for name, value in values.items():
        if len(value) > MAX_TEXT:
            raise HTTPException(422, f"{name} is longer than {MAX_TEXT} characters")
