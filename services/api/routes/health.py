"""Probes: /healthz says the API answers; /readyz says it can serve (broker and database reachable)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness only: a down broker or database must not get the API restarted."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready, with the failing checks"}})
def readyz(request: Request) -> JSONResponse:
    state = request.app.state.ops.readiness()
    body = {"status": "ready" if state.ready else "not ready", "checks": state.checks}
    return JSONResponse(body, status_code=200 if state.ready else 503)
