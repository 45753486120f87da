"""The analyst web UI: server-rendered pages over the same views as the API, Vietnamese by default."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request, Response

from services.api.request_audit import from_the_public
from services.web.form_guard import checked_form
from services.web.page_refusals import answer_page_refusals
from services.web.page_session import SignInNeeded, to_login
from services.web.pages import (
    audit_page,
    cases,
    dashboard,
    entities,
    inbox,
    login,
    notifications,
    referrals,
    reports,
    subjects,
    tips_public,
    tips_triage,
    uploads,
    webhooks_page,
)
from services.web.pages.access import PageForbidden
from services.web.templates import render


def include(app: FastAPI) -> None:
    app.include_router(login.router)
    app.include_router(
        tips_public.router, dependencies=[Depends(from_the_public)]
    )  # public: own one-use signed token, no checked_form
    for module in (
        dashboard,
        cases,
        subjects,
        entities,
        inbox,
        referrals,
        notifications,
        reports,
        audit_page,
        webhooks_page,
        uploads,
        tips_triage,
    ):
        app.include_router(module.router, dependencies=[Depends(checked_form)])

    answer_page_refusals(app)

    @app.exception_handler(SignInNeeded)
    async def sign_in(request: Request, _exc: SignInNeeded) -> Response:
        return to_login(request)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden) -> Response:
        return render(request, "forbidden.html", exc.principal, {}, status_code=403)
