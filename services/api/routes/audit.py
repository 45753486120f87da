"""The audit log, for admins: every read and export, newest first, and whether the hash chain holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.access.audit import AuditQuery, read_audit, verify_chain
from services.api.deps import Auditor, ConnectionDep, record
from services.api.stats_schemas import AuditEntryOut, AuditList

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=AuditList)
def audit_log(
    request: Request,
    principal: Auditor,
    connection: ConnectionDep,
    principal_id: str | None = None,
    endpoint: Annotated[str | None, Query(description="Route path, e.g. /api/cases/{case_id}")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    verify: Annotated[bool, Query(description="Also re-hash the whole chain (slow on a long log).")] = False,
) -> AuditList:
    """Who read what, when, with which filters and how many rows; reading it is audited too."""
    rows, count = read_audit(connection, AuditQuery(principal_id, endpoint, since, until, limit, offset))
    intact = verify_chain(connection) is None if verify else None
    record(request, principal, rows=len(rows))
    return AuditList(data=[AuditEntryOut.model_validate(r) for r in rows], count=count, chain_intact=intact)
