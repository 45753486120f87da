"""A page's refusals answered as pages. FastAPI answers a bad query value or a refused form with JSON,
which a browser shows as raw text; for the UI's own routes (their endpoints live in services.web.pages) the
same status comes back as a page in the reader's language that names the parameters at fault — never their
values, so nothing the request carried is echoed. The API and the registry keep FastAPI's JSON answers,
which their OpenAPI documents."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from services.web.i18n import language, translator
from services.web.templates import render

PAGES_PACKAGE = "services.web.pages"


def answer_page_refusals(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not is_page(request):
            return await request_validation_exception_handler(request, exc)
        fields = sorted({str(error["loc"][-1]) for error in exc.errors() if error.get("loc")})
        message = translator(language(request))("refused_values")
        return refusal_page(request, 422, message, fields, None)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        if not is_page(request) or exc.status_code < 400:
            return await http_exception_handler(request, exc)
        return refusal_page(request, exc.status_code, str(exc.detail), [], exc.headers)


def is_page(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return getattr(endpoint, "__module__", "").startswith(PAGES_PACKAGE + ".")


def refusal_page(
    request: Request, status: int, message: str, fields: list[str], headers: Mapping[str, str] | None
) -> Response:
    context = {"status": status, "message": message, "fields": fields}
    page = render(request, "refused.html", None, context, status_code=status)
    page.headers.update(headers or {})
    return page
