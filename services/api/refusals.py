"""How the API answers what it refuses or fails: the 422 it documents (FastAPI's list of parameter errors
or one sentence), and — should a bug slip through the bounds and the error middleware — a plain 500 without
a traceback. Every refusal and failure is audited like any request, by services.api.audited_requests."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

log = structlog.get_logger(__name__)


def answer_refusals(app: FastAPI) -> None:
    """Install the last-resort failure handler on an app, and document the 422 it answers."""
    document_refusals(app)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        log.error("request failed", path=request.url.path, error=type(exc).__name__)
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
