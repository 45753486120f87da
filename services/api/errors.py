"""Unexpected errors of a request become one logged line and a short answer, never a traceback.

An API answer gets JSON `{"detail": ...}`, a page a short HTML page; both carry a reference that is in
the server's log line. A store that cannot be read or written is a 503 (come back later), anything else
a 500. Starlette's own error middleware would answer the same 500 but then re-raise, and the server
prints the whole traceback for every request while the store is down.
"""

from __future__ import annotations

import html
import uuid

import structlog
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.requests import ClientDisconnect
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consumers.store_errors import StoreUnavailable

logger = structlog.get_logger()
STORE_DOWN = (StoreUnavailable, OperationalError, InterfaceError)


class OneLineErrors:
    """Pure ASGI middleware (no BaseHTTPMiddleware buffering): catches what no handler answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:  # the client left before its body was whole: nobody to answer, no fault
            logger.info("request_abandoned", path=scope["path"])
        except Exception as exc:
            if started:  # part of the answer is out: nothing sensible can follow
                raise
            await error_response(scope["path"], exc)(scope, receive, send)


def error_response(path: str, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    lines = str(exc).strip().splitlines()
    logger.error(
        "request_failed",
        reference=reference,
        path=path,
        error=f"{type(exc).__name__}: {lines[0][:300] if lines else ''}",
    )
    store_down = isinstance(exc, STORE_DOWN)
    status = 503 if store_down else 500
    what = "the store is unavailable right now" if store_down else "internal error"
    detail = f"{what} (reference {reference}; details in the server log)"
    if path.startswith("/api/") or path in ("/readyz", "/healthz", "/metrics"):
        return JSONResponse({"detail": detail}, status_code=status)
    body = (
        "<!doctype html><html lang=vi><meta charset=utf-8><title>casehub — lỗi</title>"
        "<h1>Không thể trả lời yêu cầu</h1>"
        f"<p>{html.escape(detail)}</p><p><a href='/'>casehub</a></p></html>"
    )
    return HTMLResponse(body, status_code=status)
