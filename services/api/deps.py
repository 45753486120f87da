"""Request dependencies: a read connection, the clock, and the principal behind the request (who the
request's audit row names: services.api.request_audit)."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection

from services.access.auth_failures import AuthFailures
from services.access.principal import ANONYMOUS, Capability, Principal
from services.access.resolver import DemoPrincipalRefused, PrincipalResolver
from services.access.web_sessions import session_principal
from services.api.request_audit import audit_of
from services.store.queries.text import enable_folding

SESSION_COOKIE = "casehub_session"  # a server-side session id (services.access.web_sessions), never a token
SAFE_METHODS = ("GET", "HEAD")


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


@dataclass(frozen=True)
class Presented:
    """A credential as sent: the token, and the principal id it claims to be when sent as basic auth."""

    token: str
    claimed_id: str | None = None
    session: bool = False  # the web UI's session cookie: a session id, resolved by web_sessions


def credential(request: Request) -> str | None:
    """The token a request carries (bearer, basic auth's password, or the web UI's session)."""
    presented = presented_credential(request)
    return presented.token if presented else None


def presented_credential(request: Request) -> Presented | None:
    """`Authorization: Bearer <token>`, or `Basic base64(<principal id>:<token>)` — what Confluent's clients
    send for `basic.auth.user.info` — or, for reads only, the web UI's session cookie (a cross-site form
    can make a browser send the cookie with a POST; no write is done on a cookie's word)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Presented(value.strip())
    if scheme.lower() == "basic" and value.strip():
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 (UnicodeDecodeError)
            return Presented("", claimed_id="")  # malformed: proves nobody
        return Presented(password, claimed_id=user)
    cookie = request.cookies.get(SESSION_COOKIE)
    return Presented(cookie, session=True) if cookie and request.method in SAFE_METHODS else None


def client_of(request: Request) -> str:
    """What failures and public tips are counted against (behind a proxy: uvicorn's --forwarded-allow-ips):
    the IPv4 address, or the IPv6 /64 — one subscriber's network, which hands its host any of 2^64
    addresses, so counting single IPv6 addresses would give a guesser a fresh allowance per request."""
    host = request.client.host if request.client else "unknown"
    return client_key(host)


def client_key(host: str) -> str:
    """The counting key of a client address (see client_of); a host that is no address stays as it is."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


def get_principal(request: Request) -> Principal:
    """Who is asking; anonymous without a credential, 401 with one that proves nobody (a basic-auth user
    name must be the id of the principal the token belongs to)."""
    presented = presented_credential(request)
    if presented is None:
        audit_of(request).principal = ANONYMOUS
        return ANONYMOUS
    resolver: PrincipalResolver = request.app.state.resolver
    failures: AuthFailures = request.app.state.auth_failures
    if failures.blocked(client_of(request)):
        raise HTTPException(429, "too many failed sign-ins from this address; wait a minute")
    try:
        if presented.session:
            principal = session_principal(request.app.state.engine, presented.token)
        else:
            principal = resolver.resolve(presented.token) if presented.token else None
    except DemoPrincipalRefused as refused:
        failures.failed(client_of(request))
        raise HTTPException(401, str(refused), headers={"WWW-Authenticate": "Bearer"}) from None
    if principal is not None and presented.claimed_id not in (None, principal.principal_id):
        principal = None
    if principal is None:
        failures.failed(client_of(request))
        raise HTTPException(401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"})
    audit_of(request).principal = principal
    return principal


def require(capability: Capability) -> Callable[..., Principal]:
    """A dependency that lets through principals holding `capability` (everyone it refuses is audited, like
    every request, by services.api.audited_requests)."""

    def allowed(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.can(capability):
            return principal
        if principal is ANONYMOUS:
            audit_of(request).principal = None  # nobody signed in: the row names nobody
            raise HTTPException(
                401, "sign in: send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
            )
        raise HTTPException(403, f"role {principal.role.value} may not {capability.value.replace('_', ' ')}")

    return allowed


Reader = Annotated[Principal, Depends(require(Capability.READ_CASES))]
Exporter = Annotated[Principal, Depends(require(Capability.EXPORT))]
Auditor = Annotated[Principal, Depends(require(Capability.READ_AUDIT))]
Operator = Annotated[Principal, Depends(require(Capability.READ_OPS))]
PublicReader = Annotated[Principal, Depends(get_principal)]
SchemaReader = Annotated[Principal, Depends(require(Capability.READ_SCHEMAS))]
SchemaSteward = Annotated[Principal, Depends(require(Capability.WRITE_SCHEMAS))]
