"""Rendering the analyst pages: who is signed in (the token cookie), their language, and the filters
the templates share (money, dates, code labels)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from schemas.reference import VIETNAM
from schemas.reference.agencies import publishing_agencies
from services.access.principal import ANONYMOUS, Capability, Principal
from services.access.web_sessions import session_principal
from services.api.deps import SESSION_COOKIE, record
from services.reports.labels import label
from services.tips.desk import may_triage
from services.web.form_guard import form_token
from services.web.i18n import LANG_COOKIE, language, translator
from services.web.templates import TEMPLATE_DIR


class SignInNeeded(Exception):
    """Raised by page handlers; the app turns it into a redirect to /login."""


def vnd(value: float | None) -> str:
    """12.500.000 đ, the Vietnamese way (dots between thousands)."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".") + " đ"


def millions(value: float) -> str:
    return f"{value / 1_000_000:,.0f}".replace(",", ".")


def whole(value: float) -> str:
    return f"{int(value):,}".replace(",", ".")


def local_time(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "—"
    moment = value.astimezone(VIETNAM)
    return moment.strftime("%d/%m/%Y %H:%M") if with_time else moment.strftime("%d/%m/%Y")


@lru_cache(maxsize=1)
def analyst_templates() -> Jinja2Templates:
    """The same template folder as the ops page (one base.html), with the analyst pages' filters."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.filters["vnd"] = vnd
    templates.env.filters["whole"] = whole
    templates.env.filters["when"] = local_time
    templates.env.filters["day"] = lambda v: local_time(v, with_time=False)
    templates.env.globals["urlencode"] = urlencode
    return templates


def page_principal(request: Request) -> Principal:
    """The principal of the session cookie; SignInNeeded when there is none or it proves nobody (expired,
    signed out, principal disabled)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise SignInNeeded
    principal = session_principal(request.app.state.engine, session_id)
    if principal is None:
        record(request, None, status_code=401)
        raise SignInNeeded
    return principal


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """A page in the reader's language; a ?lang= choice is remembered in a cookie."""
    lang = language(request)
    t = translator(lang)
    values = {
        "request": request,
        "lang": lang,
        "t": t,
        "label": lambda kind, code: label(kind, code, lang),
        "principal": principal if principal is not ANONYMOUS else None,
        "can_export": bool(principal and principal.can(Capability.EXPORT)),
        "can_audit": bool(principal and principal.can(Capability.READ_AUDIT)),
        "can_upload": bool(
            principal
            and principal.can(Capability.UPLOAD_REPORTS)
            and principal.agency in publishing_agencies()
        ),
        "can_triage": bool(principal and may_triage(principal)),
        "switch_lang": _with_lang(request, "en" if lang == "vi" else "vi"),
        "form_token": form_token(request),
        **context,
    }
    response = analyst_templates().TemplateResponse(request, template, values, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def _with_lang(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', lang)])}"


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
