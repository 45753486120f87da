"""The one Jinja2 environment every page renders with (analyst pages and ops pages share one base.html),
with the filters the templates share, and `render`: a page in the reader's language with what every page
needs (the principal, the translator, code labels, the form token)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from schemas.reference.agencies import publishing_agencies
from services.access.principal import ANONYMOUS, Capability, Principal
from services.ops.durations import human_duration
from services.reports.labels import label
from services.tips.desk import may_triage
from services.web.form_guard import form_token
from services.web.formatting import local_day, local_time, thousands, vnd, whole
from services.web.i18n import LANG_COOKIE, language, translator

TEMPLATE_DIR = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def page_templates() -> Jinja2Templates:
    """Built on first use (nothing is read at import); autoescaping is on for .html."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.filters["vnd"] = vnd
    templates.env.filters["whole"] = whole
    templates.env.filters["when"] = local_time
    templates.env.filters["day"] = local_day
    templates.env.filters["duration"] = human_duration
    templates.env.filters["thousands"] = thousands
    templates.env.globals["urlencode"] = urlencode
    return templates


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
    response = page_templates().TemplateResponse(request, template, values, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def _with_lang(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', lang)])}"
