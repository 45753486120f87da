"""Who may open an analyst page: signed in (services.web.page_session), and holding the page's capability —
the pages' typed dependencies, like the API's `Reader`, `Auditor`, `Operator` (services.api.deps). A refusal
is answered by the forbidden page (403) and audited like every request (services.api.audited_requests).

    @router.get("/things", response_class=HTMLResponse)
    def things_page(principal: PageReader, connection: ConnectionDep, now: NowDep, audit: RequestAuditDep):
        ..."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from services.access.principal import Capability, Principal
from services.web.page_session import page_principal


class PageForbidden(Exception):
    def __init__(self, principal: Principal) -> None:
        super().__init__(principal.principal_id)
        self.principal = principal


def page_reader(request: Request, capability: Capability = Capability.READ_CASES) -> Principal:
    """The signed-in principal if it holds `capability`; PageForbidden if not, SignInNeeded without one."""
    principal = page_principal(request)
    if not principal.can(capability):
        raise PageForbidden(principal)
    return principal


def holding(capability: Capability) -> Callable[[Request], Principal]:
    """A page dependency that lets through signed-in principals holding `capability`."""

    def allowed(request: Request) -> Principal:
        return page_reader(request, capability)

    return allowed


PageReader = Annotated[Principal, Depends(holding(Capability.READ_CASES))]
PageAuditor = Annotated[Principal, Depends(holding(Capability.READ_AUDIT))]
PageOperator = Annotated[Principal, Depends(holding(Capability.READ_OPS))]
SignedIn = Annotated[Principal, Depends(page_principal)]
