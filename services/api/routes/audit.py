"""The audit log, for admins: every read and export, newest first, and whether the hash chain holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from services.access.audit import AuditQuery, read_audit, verify_chain
from services.api.bounds import MAX_OFFSET, MAX_TEXT, NO_NUL, moment_out_of_range
from services.api.deps import Auditor, ConnectionDep, NowDep, Reader
from services.api.request_audit import RequestAuditDep
from services.api.stats_schemas import AuditEntryOut, AuditList
from services.views.audit_views import admin_scope, owns, reads_of, withhold_foreign_filters
from services.views.visible_cases import visible_cases

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=AuditList)
def audit_log(
    request: Request,
    audit: RequestAuditDep,
    principal: Auditor,
    connection: ConnectionDep,
    now: NowDep,
    principal_id: Annotated[str | None, Query(max_length=MAX_TEXT, pattern=NO_NUL)] = None,
    endpoint: Annotated[
        str | None,
        Query(max_length=MAX_TEXT, pattern=NO_NUL, description="Route path, e.g. /api/cases/{case_id}"),
    ] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    verify: Annotated[bool, Query(description="Also re-hash the whole chain (slow on a long log).")] = False,
) -> AuditList:
    """Who read what, when, with which filters and how many rows — of what the admin may see (rows about
    cases or sellers hidden from the admin are left out, other agencies' search terms withheld); reading it
    is audited too."""
    for name, moment in (("since", since), ("until", until)):
        if problem := moment_out_of_range(name, moment):
            raise HTTPException(422, problem)  # audited by the app's 422 handler
    viewer = principal.viewer(now)
    scope = admin_scope(viewer, visible_cases(connection, viewer))
    where = AuditQuery(principal_id, endpoint, since, until, limit, offset)
    rows, count = read_audit(connection, where, scope)
    intact = verify_chain(connection, request.app.state.audit.seal) is None if verify else None
    audit.read(rows=len(rows))
    shown = withhold_foreign_filters(rows, viewer)
    return AuditList(data=[AuditEntryOut.model_validate(r) for r in shown], count=count, chain_intact=intact)


@router.get("/reads", response_model=AuditList, responses={404: {"description": "Not a record of yours"}})
def who_read_my_record(
    audit: RequestAuditDep,
    principal: Reader,
    connection: ConnectionDep,
    resource: Annotated[
        str, Query(min_length=1, max_length=MAX_TEXT, pattern=NO_NUL, description="A case id or a seller id.")
    ],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditList:
    """The data owner's audit view: who read a case or seller the caller's agency recorded, and who looked
    up an identifier it recorded of that seller (hit / no-hit, identifier search)."""
    if principal.agency is None or not owns(connection, principal.agency, resource):
        audit.refused(404, resource=resource)
        raise HTTPException(404, f"{resource} is not a record of your agency")
    rows = reads_of(connection, principal.agency, resource, limit)
    audit.read(rows=len(rows), resource=resource)
    return AuditList(data=[AuditEntryOut.model_validate(r) for r in rows], count=len(rows), chain_intact=None)
