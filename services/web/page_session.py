"""Who is signed in to the pages: the principal of the server-side session cookie (services.access.
web_sessions), put on the request's audit row; without one, the page sends the reader to /login."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

from services.access.principal import Principal
from services.access.web_sessions import session_principal
from services.api.deps import SESSION_COOKIE
from services.api.request_audit import audit_of


class SignInNeeded(Exception):
    """Raised by page dependencies; the app turns it into a redirect to /login (services.web.pages)."""


def page_principal(request: Request) -> Principal:
    """The principal of the session cookie; SignInNeeded (audited as a 401) when there is none or it proves
    nobody (expired, signed out, principal disabled)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    principal = session_principal(request.app.state.engine, session_id) if session_id else None
    if principal is None:
        audit_of(request).refused(401)
        raise SignInNeeded
    audit_of(request).principal = principal
    return principal


def to_login(request: Request) -> RedirectResponse:
    """The sign-in page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
