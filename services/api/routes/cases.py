"""Cases across agencies: search and the cross-agency timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from services.api.deps import ConnectionDep
from services.api.schemas import CaseDetail, CaseList, CaseSummary
from services.store import queries

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.get("", response_model=CaseList)
def list_cases(
    connection: ConnectionDep,
    agency: str | None = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Province code, e.g. 01")] = None,
    status: str | None = None,
    category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CaseList:
    where = queries.CaseFilter(agency, province, status, category, limit, offset)
    rows, count = queries.list_cases(connection, where)
    return CaseList(data=[CaseSummary.model_validate(row) for row in rows], count=count)


@router.get("/{case_id}", response_model=CaseDetail)
def get_case(case_id: str, connection: ConnectionDep) -> CaseDetail:
    case = queries.get_case(connection, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail=f"case {case_id} not found")
    return CaseDetail.model_validate({**case, "timeline": queries.case_timeline(connection, case_id)})
