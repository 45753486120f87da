"""Sign in with an API token, which opens a server-side session (the cookie holds the session id, never the
token); in demo mode, a switcher of sample users. Sign-in posts must come from this site: a double-submit
CSRF token (cookie + hidden field, compared in constant time) and, when the browser says where the form was,
the same origin. Every other form of a signed-in session is checked by services.web.form_guard (the API's
writes never act on a cookie: services.api.deps)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.access.demo import DEMO_PRINCIPALS, demo_token
from services.access.resolver import DemoPrincipalRefused, PrincipalResolver
from services.access.web_sessions import SESSION_HOURS, close_session, open_session, session_principal
from services.api.deps import SESSION_COOKIE, client_of
from services.api.request_audit import audit_of
from services.web.form_guard import from_this_site
from services.web.templates import render

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "casehub_csrf"
CSRF_FIELD = "csrf"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", failed: bool = False) -> Response:
    demo = [(p, demo_token(p)) for p in DEMO_PRINCIPALS] if request.app.state.demo_logins else []
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    context = {"next": _local(next), "failed": failed, "demo": demo, "csrf": csrf}
    response = render(request, "login.html", None, context)
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=_tls(request),
        max_age=SESSION_HOURS * 3600,
    )
    return response


@router.post("/login")
async def sign_in(request: Request) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    target = _local((form.get("next") or ["/"])[0])
    if not _same_site(request, (form.get(CSRF_FIELD) or [""])[0]):
        audit_of(request).refused(403)
        return Response("cross-site sign-in refused", status_code=403, media_type="text/plain")
    failures = request.app.state.auth_failures
    if failures.blocked(client_of(request)):
        audit_of(request).refused(429)
        return Response("too many failed sign-ins; wait a minute", status_code=429, media_type="text/plain")
    resolver: PrincipalResolver = request.app.state.resolver
    try:
        principal = resolver.resolve(token) if token else None
    except DemoPrincipalRefused:
        principal = None
    if principal is None:
        failures.failed(client_of(request))
        audit_of(request).refused(401)
        return RedirectResponse(f"/login?failed=1&next={target}", status_code=303)
    session_id = open_session(request.app.state.engine, principal)
    audit_of(request).principal = principal  # the row names who signed in
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=_tls(request),
        max_age=SESSION_HOURS * 3600,
    )
    return response


@router.get("/logout")
def sign_out(request: Request) -> Response:
    """Revokes the session on the server (a copied cookie stops working too) and drops the cookie."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        audit_of(request).principal = session_principal(request.app.state.engine, session_id)  # who left
        close_session(request.app.state.engine, session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _same_site(request: Request, posted: str) -> bool:
    """The double-submitted token matches the cookie, and no header says the form came from elsewhere."""
    return from_this_site(request, request.cookies.get(CSRF_COOKIE, ""), posted)


def _tls(request: Request) -> bool:
    """Secure cookies when served over TLS (directly or behind a proxy uvicorn trusts)."""
    return request.url.scheme == "https"


def _local(target: str) -> str:
    """Only paths on this site (no open redirect to another host)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
