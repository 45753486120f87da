"""Sellers: find one by an identifier or name, read the dossier, and ask who else knows them (hit/no-hit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from schemas.reference import agencies
from services.api.bounds import MAX_OFFSET, MAX_TEXT, NO_NUL
from services.api.deps import ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep
from services.api.schemas import CaseSummary, Dossier, HitAnswer, Holder, SubjectList, SubjectSummary
from services.views import subjects
from services.views.visible_cases import visible_cases

router = APIRouter(prefix="/api/subjects", tags=["subjects"])
IdentifierQuery = Annotated[
    str | None,
    Query(
        min_length=3,
        max_length=MAX_TEXT,
        pattern=NO_NUL,
        description="Phone, tax code, shop URL, shop id, e-mail or keyed hash, as typed.",
    ),
]


@router.get("", response_model=SubjectList)
def find_subjects(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    identifier: IdentifierQuery = None,
    name: Annotated[
        str | None,
        Query(min_length=2, max_length=MAX_TEXT, pattern=NO_NUL, description="Words of the seller's name."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SubjectList:
    """Sellers carrying the identifier (or named so) in records the caller may see."""
    if not identifier and not name:
        raise HTTPException(422, "give identifier= (phone, tax code, shop URL, ...) or name=")
    viewer = principal.viewer(now)
    cases = visible_cases(connection, viewer)
    found = (
        subjects.find_by_identifier(connection, viewer, cases, identifier)
        if identifier
        else subjects.find_by_name(connection, viewer, cases, name or "")
    )
    page = found[offset : offset + limit]
    audit.read(rows=len(page))
    return SubjectList(
        data=[SubjectSummary.model_validate(s, from_attributes=True) for s in page], count=len(found)
    )


@router.get("/hits", response_model=HitAnswer)
def who_else_knows(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    identifier: Annotated[
        str,
        Query(
            min_length=3,
            max_length=MAX_TEXT,
            pattern=NO_NUL,
            description="The identifier to check, as typed.",
        ),
    ],
) -> HitAnswer:
    """Which agencies hold a record of a seller with this identifier, restricted records included; only the
    agency is disclosed, so a hidden hit means: contact that agency before acting."""
    found = subjects.holders(connection, principal.viewer(now), identifier)
    audit.read(rows=len(found))
    names = agencies()
    return HitAnswer(
        identifier=identifier,
        hit=bool(found),
        holders=[
            Holder(
                agency=h.agency,
                agency_name=names[h.agency].name_vi if h.agency in names else h.agency,
                visible_to_you=h.visible_to_you,
            )
            for h in found
        ],
    )


@router.get(
    "/{subject_id}", response_model=Dossier, responses={404: {"description": "No such seller for you"}}
)
def get_dossier(
    audit: RequestAuditDep,
    subject_id: str,
    principal: Reader,
    connection: ConnectionDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Cases per page (totals cover every case).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Dossier:
    """The seller's identifiers, names and cases across agencies and platforms (one page, newest activity
    first; `case_count` says how many), with totals over every case."""
    viewer = principal.viewer(now)
    cases = visible_cases(connection, viewer)
    found = subjects.dossier(connection, viewer, cases, subject_id, limit, offset)
    if found is None:
        audit.refused(404, resource=subject_id)
        raise HTTPException(404, f"subject {subject_id} not found")
    page = found.cases
    audit.read(rows=len(page.rows), resource=subject_id)
    return Dossier.model_validate(
        {
            "subject": SubjectSummary.model_validate(found.subject, from_attributes=True),
            "names": list(found.names),
            "identifiers": [vars(i) for i in found.identifiers],
            "cases": [CaseSummary.model_validate(r) for r in page.rows],
            "case_count": page.total,
            "total_fines_vnd": page.fines_vnd,
            "total_goods_value_vnd": page.goods_value_vnd,
            "by_agency": [vars(t) for t in page.by_agency],
            "by_platform": [vars(t) for t in page.by_platform],
        }
    )
