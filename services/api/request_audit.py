"""What a handler tells the audit about its request: who asked, how many rows it answered, which resource.

Handlers never write the audit log themselves: `services.api.audited_requests` writes exactly one row per
request, for every route, in one place (a route cannot forget it). A handler only enriches the row, through
the typed dependency `RequestAuditDep` (or `audit_of(request)` in a helper that has the request):

    def list_things(principal: Reader, audit: RequestAuditDep, ...) -> ...:
        rows = ...
        audit.read(rows=len(rows))            # a read: how many rows, and which resource if one
        ...
        audit.refused(422)                    # an outcome the response does not say (a form answered by
                                              # a redirect that carries the refusal)

The principal is set by the dependencies that resolve it (services.api.deps.get_principal, the pages'
services.web.page_session), so a row says who asked even when the handler failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.access.principal import ANONYMOUS, Principal

STATE_KEY = "audit"


@dataclass
class RequestAudit:
    """The facts of one request's audit row that only the handler knows; the status is the response's
    unless `outcome` says otherwise."""

    principal: Principal | None = None
    rows: int = 0
    resource: str | None = None
    outcome: int | None = None

    def read(self, rows: int = 0, resource: str | None = None) -> None:
        """The request answered `rows` rows (of `resource`, when it is about one thing)."""
        self.rows = rows
        if resource is not None:
            self.resource = resource

    def refused(self, status: int, resource: str | None = None) -> None:
        """The request was refused with `status`, whatever status its response carries."""
        self.outcome = status
        if resource is not None:
            self.resource = resource


def audit_of(request: Request) -> RequestAudit:
    """The request's audit facts (made by the audit middleware; made here too for a request built by hand,
    which then is not written anywhere — only the middleware writes)."""
    found = getattr(request.state, STATE_KEY, None)
    if isinstance(found, RequestAudit):
        return found
    made = RequestAudit()
    setattr(request.state, STATE_KEY, made)
    return made


RequestAuditDep = Annotated[RequestAudit, Depends(audit_of)]


def from_the_public(request: Request) -> None:
    """A dependency for routes anyone may use without an account (the public tip form): their rows say the
    public asked, as the open data's do, rather than nobody."""
    audit_of(request).principal = ANONYMOUS
