"""HTTP ingest for agency systems that cannot run a Kafka client: POST a JSON array of CaseEvent objects.

Authenticated as an agency principal with the `agency_system` role; events go to that agency's topic
only, through the idempotent acks=all publisher; the answer lists every event (accepted with topic,
partition and offset, duplicate, or refused with reasons in Vietnamese). The body is bounded in bytes
and events; what is not a JSON array of objects is a 4xx for the whole request, never a partial send.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated, Any, Literal, NoReturn

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from producers.publisher import Publisher
from schemas.json_text import NotJson, json_value
from schemas.outages import ServiceUnavailable
from services.access.principal import Capability, Principal
from services.api.deps import require
from services.api.request_audit import RequestAuditDep
from services.ascii_number import ascii_number
from services.ingest.event_batch import ingest

router = APIRouter(prefix="/api/ingest", tags=["ingest"])
Ingester = Annotated[Principal, Depends(require(Capability.INGEST_EVENTS))]
MAX_BODY_BYTES = 1_048_576
MAX_EVENTS = 500


class EventOutcome(BaseModel):
    index: int = Field(description="Position of the event in the posted array.")
    event_id: str | None
    status: Literal["accepted", "duplicate", "refused"]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    reasons: list[str] = Field(default_factory=list, description="Why not accepted, in Vietnamese.")


class IngestAnswer(BaseModel):
    accepted: int
    duplicates: int
    refused: int
    results: list[EventOutcome]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not a JSON array of 1-500 objects"},
    401: {"description": "No or bad token"},
    403: {"description": "Not an agency system principal"},
    413: {"description": f"Body over {MAX_BODY_BYTES} bytes"},
    415: {"description": "Not application/json"},
    503: {"description": "The broker is unreachable; nothing was sent"},
}


@router.post("/events", response_model=IngestAnswer, responses=ERRORS)
async def ingest_events(request: Request, audit: RequestAuditDep, principal: Ingester) -> IngestAnswer:
    """Publish the posted CaseEvent objects to the caller's agency topic; one answer per event."""
    if principal.agency is None:
        _refuse(request, principal, 403, "this principal has no agency to publish for")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        _refuse(request, principal, 415, "send Content-Type: application/json")
    items = _items(request, principal, await _bounded_body(request, principal))
    publisher = await run_in_threadpool(_publisher, request.app, request, principal)
    async with request.app.state.ingest_turn:  # one publish call at a time on the shared producer
        engine = request.app.state.engine
        outcomes = await run_in_threadpool(ingest, items, str(principal.agency), publisher, engine)
    results = [EventOutcome(**vars(o)) for o in outcomes]
    answer = IngestAnswer(
        accepted=sum(r.status == "accepted" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        refused=sum(r.status == "refused" for r in results),
        results=results,
    )
    audit.read(rows=answer.accepted)
    return answer


async def _bounded_body(request: Request, principal: Principal) -> bytes:
    declared = request.headers.get("content-length", "")
    if (ascii_number(declared, digits=18) or 0) > MAX_BODY_BYTES:  # longer ones are counted below
        _refuse(request, principal, 413, f"body over {MAX_BODY_BYTES} bytes; send fewer events per request")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            _refuse(
                request, principal, 413, f"body over {MAX_BODY_BYTES} bytes; send fewer events per request"
            )
    return bytes(body)


def _items(request: Request, principal: Principal, body: bytes) -> list[Any]:
    try:
        parsed = json_value(body)
    except NotJson as exc:
        _refuse(request, principal, 400, str(exc))
    if not isinstance(parsed, list):
        _refuse(
            request,
            principal,
            400,
            "gửi một mảng JSON các CaseEvent (send a JSON array of CaseEvent objects)",
        )
    if not 1 <= len(parsed) <= MAX_EVENTS:
        _refuse(
            request,
            principal,
            400,
            f"gửi từ 1 đến {MAX_EVENTS} sự kiện mỗi yêu cầu (1 to {MAX_EVENTS} events)",
        )
    return parsed


def _publisher(app: FastAPI, request: Request, principal: Principal) -> Publisher:
    """The app's publisher, connected on the first ingest (the read-only API never needs a broker)."""
    with app.state.ingest_lock:
        existing: Publisher | None = app.state.ingest_publisher
        if existing is not None:
            return existing
        try:
            built: Publisher = app.state.publisher_factory()
        except ServiceUnavailable as exc:
            _refuse(request, principal, 503, f"broker unavailable, nothing sent: {exc}")
        app.state.ingest_publisher = built
        return built


def close_publisher(app: FastAPI) -> None:
    """Close the ingest publisher when the app stops, flushing what it holds."""
    publisher = app.state.ingest_publisher
    if publisher is not None:
        app.state.ingest_publisher = None
        publisher.close()


def install(app: FastAPI, publisher_factory: Any) -> None:
    """Wire the route with a lazily built publisher (`publisher_factory()` → Publisher) and its shutdown."""
    app.state.publisher_factory = publisher_factory
    app.state.ingest_publisher = None
    app.state.ingest_lock = threading.Lock()  # building the publisher, in a worker thread
    app.state.ingest_turn = asyncio.Lock()  # publishing, on the event loop
    app.router.add_event_handler("shutdown", lambda: close_publisher(app))
    app.include_router(router)


def _refuse(request: Request, principal: Principal, status: int, detail: str) -> NoReturn:
    raise HTTPException(status, detail)
