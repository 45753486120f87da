"""The one place the API and the pages write the audit log: a pure ASGI middleware that writes exactly one
row per request — who (services.api.request_audit), which route, with which query parameters, how many
rows, which resource, and the outcome — for every route but the few named below, with their reason.

The row is written when the response starts, before any of it is sent: if the audit store cannot take it,
an answer that would have carried data becomes a 503 (nothing is served unaudited), and a refusal goes out
as it was (it carries nothing). A handler that fails is audited as the 500/503 the error middleware
answers (services.api.errors sits inside this one), with whatever the handler had noted by then; a request
refused before routing (services.api.request_limits) is audited when the refusal says so.

Starlette's BaseHTTPMiddleware is not used: it buffers and runs the app in another task; FastAPI's
dependencies with `yield` cannot see the status of a refusal raised by another dependency."""

from __future__ import annotations

from enum import Enum
from typing import Any

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.access.audit import AuditEntry, AuditLog
from services.api.request_audit import STATE_KEY, RequestAudit

log = structlog.get_logger(__name__)


class AuditPolicy(Enum):
    EVERY_REQUEST = "every request"
    REFUSALS_ONLY = "refusals and failures only"
    NEVER = "never"


NEVER_AUDITED: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "liveness probe, every few seconds, anonymous, answers no data",
    ("GET", "/readyz"): "readiness probe, every few seconds, anonymous, answers no data",
    ("GET", "/openapi.json"): "the API's description, public, no data",
    ("GET", "/docs"): "the API's documentation page, public, no data",
    ("GET", "/docs/oauth2-redirect"): "part of the documentation page, no data",
    ("GET", "/redoc"): "the API's documentation page, public, no data",
}
"""Routes whose requests are never audited, with the reason (tests/integration/analyst/
test_audit_every_route.py requests every other route and fails if it writes no row)."""

REFUSALS_ONLY: dict[tuple[str, str], str] = {
    ("GET", "/login"): "the empty sign-in form; the sign-in itself (POST /login) is audited",
    ("GET", "/metrics"): "scraped every 15 s by Prometheus with an ops token: gauges, no case data",
}
"""Routes whose answers are not audited but whose refusals (4xx) and failures (5xx) are."""

REFUSALS_ONLY_READS = "/registry/"
"""The schema registry's reads (GET under /registry/): Avro clients fetch schemas by id all day; they hold
no case data. Its writes are audited like every other route."""


def policy_of(method: str, path: str) -> AuditPolicy:
    """How requests of the route (method, path template) are audited; every route by default. HEAD is
    judged as the GET it answers (a probe may send either)."""
    method = "GET" if method == "HEAD" else method
    if (method, path) in NEVER_AUDITED:
        return AuditPolicy.NEVER
    if (method, path) in REFUSALS_ONLY or (method == "GET" and path.startswith(REFUSALS_ONLY_READS)):
        return AuditPolicy.REFUSALS_ONLY
    return AuditPolicy.EVERY_REQUEST


class AuditedRequests:
    """Pure ASGI middleware: gives each HTTP request its RequestAudit, writes its row at response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts = RequestAudit()
        scope.setdefault("state", {})[STATE_KEY] = facts
        written, withheld = False, False

        async def audited_send(message: Message) -> None:
            nonlocal written, withheld
            if message["type"] == "http.response.start" and not written:
                written = True
                if not await _write(scope, facts, int(message["status"])) and message["status"] < 400:
                    withheld = True
                    answer = JSONResponse({"detail": "the audit log is unavailable; nothing was served"}, 503)
                    await answer(scope, receive, send)
                    return
            if not withheld:
                await send(message)

        try:
            await self.app(scope, receive, audited_send)
        except Exception:
            if not written:  # nothing answered (the error middleware answers outside this one)
                written = True
                await _write(scope, facts, 500)
            raise


async def _write(scope: Scope, facts: RequestAudit, status: int) -> bool:
    """Append the request's row if its route's policy asks for one; False only if the append failed."""
    route = scope.get("route")
    request = Request(scope)
    if route is None:  # refused before routing: audited when the refusal says so (request limits)
        endpoint, wanted = request.url.path, facts.outcome is not None
    else:
        endpoint = str(getattr(route, "path", request.url.path))
        policy = policy_of(request.method, endpoint)
        outcome = facts.outcome or status
        wanted = policy is AuditPolicy.EVERY_REQUEST or (
            policy is AuditPolicy.REFUSALS_ONLY and outcome >= 400
        )
    if not wanted:
        return True
    entry = AuditEntry(
        principal=facts.principal,
        method=request.method,
        endpoint=endpoint,
        filters=query_parameters(request),
        rows_returned=facts.rows,
        status_code=facts.outcome or status,
        resource=facts.resource,
    )
    audit: AuditLog = scope["app"].state.audit
    try:
        await run_in_threadpool(audit.append, entry)
    except Exception as error:  # one line, no traceback wall; the caller decides what is still sent
        log.error("audit append failed", endpoint=endpoint, error=type(error).__name__)
        return False
    return True


def query_parameters(request: Request) -> dict[str, Any]:
    """The query string as recorded: a repeated parameter as a list (credentials are withheld by the log)."""
    found: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key not in found:
            found[key] = value
        elif isinstance(found[key], list):
            found[key].append(value)
        else:
            found[key] = [found[key], value]
    return found
