"""Publishing an upload's previewed-ok rows through the HTTP ingest's own path
(`services.ingest.event_batch.ingest`: the uploader's agency topic only, idempotent acks=all, stored ids
answered `duplicate` and not resent), in chunks so the page can show progress, each chunk's row outcomes
written as it is answered."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from producers.publisher import Publisher
from services.ingest.event_batch import Outcome, ingest
from services.store.upload_tables import UploadRow
from services.uploads.ledger import RowOutcome, finish_publishing, ok_rows, record_outcomes
from services.uploads.row_plan import PlannedRow, RowPlanner, read_report, shown

logger = structlog.get_logger()
CHUNK_ROWS = 100


def shared_publisher(app: FastAPI) -> Publisher:
    """The app's ingest publisher (built on first use, ServiceUnavailable when the broker is down)."""
    with app.state.ingest_lock:
        if app.state.ingest_publisher is None:
            app.state.ingest_publisher = app.state.publisher_factory()
        publisher: Publisher = app.state.ingest_publisher
        return publisher


def row_outcome(row: PlannedRow, answers: Sequence[Outcome]) -> RowOutcome:
    """A row is accepted when all its events are stored or sent (some may be duplicates of an earlier
    try), duplicate when all were stored already, refused when any was not confirmed."""
    refused = [a for a in answers if a.status == "refused"]
    sent = [a for a in answers if a.status == "accepted"]
    if refused:
        reasons = "; ".join(dict.fromkeys(r for a in refused for r in a.reasons))
        return RowOutcome(row.number, "refused", None, None, None, shown(reasons))
    if not sent:
        return RowOutcome(row.number, "duplicate", None, None, None, "đã có trong kho (already stored)")
    offsets = sorted(int(a.offset) for a in sent if a.offset is not None)
    span = f"{offsets[0]}" if len(offsets) == 1 else f"{offsets[0]}-{offsets[-1]}"
    return RowOutcome(row.number, "accepted", sent[0].topic, sent[0].partition, span, "")


async def publish_upload(app: FastAPI, upload: UploadRow, clock: Callable[[], datetime]) -> None:
    """Check the previewed-ok rows again and send them chunk by chunk, one ingest call at a time on the
    shared producer; each chunk's outcomes are kept before the next (the page's progress)."""
    engine = app.state.engine
    provinces = frozenset(p for p in upload.provinces.split(",") if p)
    try:
        wanted = await run_in_threadpool(ok_rows, engine, upload.upload_id)
        read = await run_in_threadpool(read_report, upload.content, upload.filename, upload.agency, clock())
        planner = RowPlanner(read.importer, provinces)
        publisher = await run_in_threadpool(shared_publisher, app)
        for start in range(0, len(read.rows), CHUNK_ROWS):
            chunk = await run_in_threadpool(planner.plan, read.rows[start : start + CHUNK_ROWS])
            chunk = [row for row in chunk if row.number in wanted]
            outcomes = [_still_refused(row) for row in chunk if not row.ok]
            ready = [row for row in chunk if row.ok]
            items = [json.loads(event.model_dump_json()) for row in ready for event in row.events]
            if items:
                async with app.state.ingest_turn:
                    answers = await run_in_threadpool(ingest, items, upload.agency, publisher, engine)
                by_id = {answer.event_id: answer for answer in answers}
                outcomes += [row_outcome(row, [by_id[str(e.event_id)] for e in row.events]) for row in ready]
            await run_in_threadpool(record_outcomes, engine, upload.upload_id, outcomes, clock())
    except Exception as exc:  # the broker lost mid-way: the page says so, and publishing again is safe
        logger.warning("upload_publish_failed", upload_id=upload.upload_id, error=str(exc))
        reason = f"gửi chưa xong, hãy gửi lại (publishing stopped; sending again is safe): {exc}"
        await run_in_threadpool(finish_publishing, engine, upload.upload_id, clock(), shown(reason)[:1000])
        return
    await run_in_threadpool(finish_publishing, engine, upload.upload_id, clock())
    logger.info("upload_published", upload_id=upload.upload_id, rows=len(wanted))


def _still_refused(row: PlannedRow) -> RowOutcome:
    """A row fine at the preview but not now (a reference changed in between): refused, with why."""
    reasons = "; ".join(p.reason for p in row.problems)
    return RowOutcome(row.number, "refused", None, None, None, reasons)
