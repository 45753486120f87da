"""Sign in with an API token (kept in an HttpOnly cookie); in demo mode, a switcher of sample users."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.access.demo import DEMO_PRINCIPALS, demo_token
from services.access.resolver import DemoPrincipalRefused, PrincipalResolver
from services.api.deps import TOKEN_COOKIE
from services.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", failed: bool = False) -> Response:
    demo = [(p, demo_token(p)) for p in DEMO_PRINCIPALS] if request.app.state.demo_logins else []
    return render(request, "login.html", None, {"next": _local(next), "failed": failed, "demo": demo})


@router.post("/login")
async def sign_in(request: Request) -> Response:
    form = parse_qs((await request.body()).decode())
    token = (form.get("token") or [""])[0].strip()
    target = _local((form.get("next") or ["/"])[0])
    resolver: PrincipalResolver = request.app.state.resolver
    try:
        known = resolver.resolve(token) if token else None
    except DemoPrincipalRefused:
        known = None
    if known is None:
        return RedirectResponse(f"/login?failed=1&next={target}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax", max_age=12 * 3600)
    return response


@router.get("/logout")
def sign_out() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


def _local(target: str) -> str:
    """Only paths on this site (no open redirect to another host)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
