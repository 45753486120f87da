"""Requests the API refuses or fails are audited like the ones it answers: a malformed parameter (422),
and — should a bug slip through the bounds — a failure, answered as a plain 500 without a traceback.

The principal is the one the request's dependencies resolved (they run before parameters are checked), or
nobody when the request failed before that."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.deps import record

log = structlog.get_logger(__name__)


def audit_refusals(app: FastAPI) -> None:
    """Install the handlers on an app, and document the 422 they answer."""
    document_refusals(app)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        _record(request, 422)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (400, 413, 414, 422, 429):  # other refusals are audited where they are raised
            _record(request, exc.status_code)
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        log.error("request failed", path=request.url.path, error=type(exc).__name__)
        _record(request, 500)
        return JSONResponse({"detail": "internal error; the request was logged"}, status_code=500)


def document_refusals(app: FastAPI) -> None:
    """Say in the OpenAPI what a 422 holds: FastAPI's list of parameter errors, or — for a value the
    reference data or a bound refuses (an unknown province, a date past 2100) — one sentence."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            found = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if found is not None:
                listed = found["properties"]["detail"]
                found["properties"]["detail"] = {"anyOf": [listed, {"type": "string"}], "title": "Detail"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _record(request: Request, status_code: int) -> None:
    try:
        record(request, getattr(request.state, "principal", None), status_code=status_code)
    except Exception as error:  # the audit store itself failing must not turn a 422 into a 500
        log.error("audit append failed", path=request.url.path, error=type(error).__name__)
