"""Who may open an analyst page: signed in, and holding the page's capability (refusals are audited)."""

from __future__ import annotations

from fastapi import Request

from services.access.principal import Capability, Principal
from services.api.deps import record
from services.web.rendering import page_principal


class PageForbidden(Exception):
    def __init__(self, principal: Principal) -> None:
        super().__init__(principal.principal_id)
        self.principal = principal


def page_reader(request: Request, capability: Capability = Capability.READ_CASES) -> Principal:
    principal = page_principal(request)
    if not principal.can(capability):
        record(request, principal, status_code=403)
        raise PageForbidden(principal)
    return principal
