"""Cases across agencies: search and the cross-agency timeline, as the caller may see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.filters import case_filter, page
from services.api.request_audit import RequestAuditDep
from services.api.schemas import CaseDetail, CaseList, CaseSummary, TimelineEvent
from services.store.queries.case_filter import CaseFilter, Page
from services.views.case_detail import case_detail
from services.views.case_search import search_cases

router = APIRouter(prefix="/api/cases", tags=["cases"])
FilterDep = Annotated[CaseFilter, Depends(case_filter)]
PageDep = Annotated[Page, Depends(page)]


@router.get("", response_model=CaseList)
def list_cases(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    where: FilterDep,
    paging: PageDep,
) -> CaseList:
    """Cases matching the filters, one page, with the total count; totals from visible events only."""
    rows, count = search_cases(connection, principal.viewer(now), where, paging)
    audit.read(rows=len(rows))
    return CaseList(data=[CaseSummary.model_validate(row) for row in rows], count=count)


@router.get("/{case_id}", response_model=CaseDetail, responses={404: {"description": "No such case for you"}})
def get_case(
    audit: RequestAuditDep,
    case_id: str,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
) -> CaseDetail:
    """Every event of the case the caller may see, from every agency, in the order they happened.

    A case the caller may not see at all is a 404, exactly like one that does not exist.
    """
    detail = case_detail(connection, principal.viewer(now), case_id)
    if detail is None:
        audit.refused(404, resource=case_id)
        raise HTTPException(status_code=404, detail=f"case {case_id} not found")
    audit.read(rows=len(detail.timeline), resource=case_id)
    return CaseDetail.model_validate(
        {
            **CaseSummary.model_validate(detail.case, from_attributes=True).model_dump(),
            "timeline": [TimelineEvent.model_validate(e, from_attributes=True) for e in detail.timeline],
            "subject_ids": list(detail.subject_ids),
        }
    )
