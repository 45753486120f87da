"""Request dependencies: a read connection, the clock, the principal behind the request, and its audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection

from services.access.audit import AuditEntry, AuditLog
from services.access.principal import ANONYMOUS, Capability, Principal
from services.access.resolver import PrincipalResolver
from services.store.queries.text import enable_folding

TOKEN_COOKIE = "casehub_token"


def get_connection(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.connect() as connection:
        enable_folding(connection)
        yield connection


ConnectionDep = Annotated[Connection, Depends(get_connection)]


def get_now(request: Request) -> datetime:
    """The moment embargoes are judged against (tests replace app.state.clock)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


NowDep = Annotated[datetime, Depends(get_now)]


def credential(request: Request) -> str | None:
    """A bearer token from the Authorization header, or the web UI's cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


def get_principal(request: Request) -> Principal:
    """Who is asking; anonymous without a credential, 401 with one that proves nobody."""
    token = credential(request)
    if token is None:
        return ANONYMOUS
    resolver: PrincipalResolver = request.app.state.resolver
    principal = resolver.resolve(token)
    if principal is None:
        record(request, None, status_code=401)
        raise HTTPException(401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(capability: Capability) -> Callable[..., Principal]:
    """A dependency that lets through principals holding `capability` and audits everyone it refuses."""

    def allowed(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.can(capability):
            return principal
        if principal is ANONYMOUS:
            record(request, None, status_code=401)
            raise HTTPException(
                401, "sign in: send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
            )
        record(request, principal, status_code=403)
        raise HTTPException(403, f"role {principal.role.value} may not {capability.value.replace('_', ' ')}")

    return allowed


Reader = Annotated[Principal, Depends(require(Capability.READ_CASES))]
Exporter = Annotated[Principal, Depends(require(Capability.EXPORT))]
Auditor = Annotated[Principal, Depends(require(Capability.READ_AUDIT))]
Operator = Annotated[Principal, Depends(require(Capability.READ_OPS))]
PublicReader = Annotated[Principal, Depends(get_principal)]


def record(
    request: Request,
    principal: Principal | None,
    rows: int = 0,
    resource: str | None = None,
    status_code: int = 200,
) -> None:
    """Append the request to the audit log: who, which endpoint, with which parameters, how many rows."""
    log: AuditLog = request.app.state.audit
    route = request.scope.get("route")
    log.append(
        AuditEntry(
            principal=principal,
            method=request.method,
            endpoint=getattr(route, "path", request.url.path),
            filters=_parameters(request),
            rows_returned=rows,
            status_code=status_code,
            resource=resource,
        )
    )


def _parameters(request: Request) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        found[key] = (
            [*found[key], value]
            if key in found and isinstance(found[key], list)
            else ([found[key], value] if key in found else value)
        )
    return found
