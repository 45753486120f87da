"""Bounds on a request before any route sees it: the body (1 MiB; a schema or a login form is a few KB;
8 MiB for a report file posted to the upload page, that route only)
and the query string (64 KiB: a typed-text parameter past its own 200-character bound is a 422 that names
it). Over-long requests are refused — 413 / 414 — and audited.

Starlette has no body limit and the ASGI servers leave it to the app; this is the small pure-ASGI check
that fits (it counts what is received, so a chunked body without Content-Length is bounded too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.json_text import BeyondJson, NotJson, json_value, may_go_beyond_json
from services.api.request_audit import audit_of

MAX_BODY_BYTES = 1024 * 1024
MAX_QUERY_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
"""A unit's report file on the upload page (services.web.pages.uploads); ~10k rows of CSV take ~2 MiB."""
LARGER_BODIES = {("POST", "/uploads"): MAX_UPLOAD_BYTES + 64 * 1024}
"""Routes that take more than MAX_BODY_BYTES: the file plus its multipart framing and form fields."""


class RequestLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            await _refuse(scope, receive, send, 414, f"query string longer than {MAX_QUERY_BYTES} bytes")
            return
        limit = LARGER_BODIES.get((scope.get("method", ""), scope.get("path", "")), MAX_BODY_BYTES)
        too_large = f"request body larger than {limit} bytes"
        if limit != MAX_BODY_BYTES:
            too_large = f"tệp quá lớn: tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB (file too large)"
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(scope, receive, send, 413, too_large)
            return
        body, more, messages = 0, True, []
        while more and scope.get("method") not in ("GET", "HEAD"):
            message = await receive()
            messages.append(message)
            body += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
            if body > limit:
                await _refuse(scope, receive, send, 413, too_large)
                return

        if _json_body(scope) and (problem := _beyond_json(b"".join(m.get("body", b"") for m in messages))):
            await _refuse(scope, receive, send, 400, problem)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, reason: str) -> None:
    audit_of(Request(scope)).refused(status)  # written by services.api.audited_requests, outside this one
    await JSONResponse({"detail": reason}, status_code=status)(scope, receive, send)


def _json_body(scope: Scope) -> bool:
    """A body FastAPI reads as JSON: declared so, or not declared at all."""
    declared = dict(scope.get("headers", [])).get(b"content-type", b"").split(b";")[0].strip().lower()
    return declared in (b"", b"application/json") or declared.endswith(b"+json")


def _beyond_json(body: bytes) -> str | None:
    """Why a JSON body holds what no JSON text may (schemas.json_text.BeyondJson), else None.

    `json.loads` reads `"\\ud800"` into a Python string no UTF-8 can hold, and `NaN` or `Infinity` into
    floats no JSON answer can hold; every route failed later — writing it to the store, the audit, or
    echoing it in a 422 — with a 500 (subscriptions, webhooks, referrals, inbox actions, ingest: found by
    hand and by tests/integration/test_api_edge_values.py in session 17). Checked here, once for every
    route, and only for a body that might hold one at all; a body that is not JSON is left to the route,
    which says why."""
    if not may_go_beyond_json(body):
        return None
    try:
        json_value(body)
    except BeyondJson as exc:
        return str(exc)
    except NotJson:
        return None
    return None
