"""The uploads table: an upload and its rows saved after the preview, progress and outcomes written while
publishing, the history a unit reads. Plain SQLAlchemy Core on the app's engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from services.access.principal import Principal
from services.store.upload_tables import UploadRow, UploadRowFate
from services.uploads.row_plan import PlannedRow, shown

READING, UNREADABLE, PREVIEWED = "reading", "unreadable", "previewed"
PUBLISHING, PUBLISHED = "publishing", "published"
_PUBLISHABLE = (PREVIEWED, PUBLISHED, PUBLISHING)
STALLED_AFTER = timedelta(minutes=2)
"""A read or publish with no progress for this long died with its process (publishing again is safe)."""


@dataclass(frozen=True)
class RowOutcome:
    number: int
    outcome: str
    topic: str | None
    partition: int | None
    offsets: str | None
    reasons: str


def open_upload(engine: Engine, principal: Principal, filename: str, content: bytes, now: datetime) -> str:
    """Keep the file, who sent it and when (status `reading` until its rows are previewed); its id."""
    upload_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(
            insert(UploadRow).values(
                upload_id=upload_id,
                agency=str(principal.agency),
                provinces=",".join(sorted(principal.provinces)),
                uploaded_by=principal.principal_id,
                uploader_name=principal.display_name,
                uploaded_at=now,
                filename=shown(filename)[:255],
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                status=READING,
                rows_total=0,
                rows_ok=0,
                rows_done=0,
                heartbeat_at=now,
                summary={},
            )
        )
    return upload_id


def save_previews(engine: Engine, upload_id: str, rows: Sequence[PlannedRow], now: datetime) -> None:
    """One chunk of previewed rows; the reading progress moves on."""
    if not rows:
        return
    with engine.begin() as connection:
        connection.execute(
            insert(UploadRowFate),
            [
                {
                    "upload_id": upload_id,
                    "row_number": row.number,
                    "preview": "ok" if row.ok else "refused",
                    "cells": row.cells,
                    "problems": {"items": [vars(p) for p in row.problems]},
                    "events": len(row.events),
                }
                for row in rows
            ],
        )
        connection.execute(
            update(UploadRow)
            .where(UploadRow.upload_id == upload_id)
            .values(
                rows_total=UploadRow.rows_total + len(rows),
                rows_ok=UploadRow.rows_ok + sum(row.ok for row in rows),
                heartbeat_at=now,
            )
        )


def finish_reading(
    engine: Engine,
    upload_id: str,
    problem: str | None,
    skipped: Sequence[tuple[int, str]] = (),
    ignored_columns: Sequence[str] = (),
) -> None:
    summary = {
        "skipped": [[n, shown(why)] for n, why in skipped],
        "ignored_columns": [shown(c) for c in ignored_columns],
    }
    with engine.begin() as connection:
        connection.execute(
            update(UploadRow)
            .where(UploadRow.upload_id == upload_id)
            .values(status=UNREADABLE if problem else PREVIEWED, problem=problem, summary=summary)
        )


def ok_rows(engine: Engine, upload_id: str) -> set[int]:
    query = select(UploadRowFate.row_number).where(
        UploadRowFate.upload_id == upload_id, UploadRowFate.preview == "ok"
    )
    with engine.connect() as connection:
        return {int(n) for n in connection.execute(query).scalars()}


def visible_to(upload: UploadRow, principal: Principal) -> bool:
    """A unit's uploads: the same agency, and made within the reader's province scope."""
    if upload.agency != principal.agency:
        return False
    scope = {p for p in upload.provinces.split(",") if p}
    return not principal.provinces or (bool(scope) and scope <= principal.provinces)


def load_upload(engine: Engine, upload_id: str) -> UploadRow | None:
    with engine.connect() as connection:
        found = connection.execute(select(UploadRow).where(UploadRow.upload_id == upload_id)).first()
    return None if found is None else _row(found._mapping)


def history(engine: Engine, principal: Principal, limit: int = 100) -> list[UploadRow]:
    """The agency's uploads the principal may see, newest first (without the files' bytes)."""
    columns = [c for c in UploadRow.__table__.c if c.name != "content"]
    query = (
        select(*columns)
        .where(UploadRow.agency == str(principal.agency))
        .order_by(UploadRow.uploaded_at.desc())
        .limit(limit * 4)
    )
    with engine.connect() as connection:
        found = [_row({**r._mapping, "content": b""}) for r in connection.execute(query)]
    return [u for u in found if visible_to(u, principal)][:limit]


def rows_of(engine: Engine, upload_id: str, offset: int = 0, limit: int | None = None) -> list[UploadRowFate]:
    query = (
        select(UploadRowFate)
        .where(UploadRowFate.upload_id == upload_id)
        .order_by(UploadRowFate.row_number)
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [_fate(r._mapping) for r in connection.execute(query)]


def outcome_counts(engine: Engine, upload_id: str) -> dict[str, int]:
    query = (
        select(UploadRowFate.outcome, func.count())
        .where(UploadRowFate.upload_id == upload_id, UploadRowFate.outcome.is_not(None))
        .group_by(UploadRowFate.outcome)
    )
    with engine.connect() as connection:
        return {str(outcome): int(count) for outcome, count in connection.execute(query)}


def start_publishing(engine: Engine, upload_id: str, principal: Principal, now: datetime) -> bool:
    """Mark the upload as publishing, unless it already is (and alive); False when another run holds it."""
    alive = (UploadRow.status == PUBLISHING) & (UploadRow.heartbeat_at > now - STALLED_AFTER)
    with engine.begin() as connection:
        changed = connection.execute(
            update(UploadRow)
            .where(
                UploadRow.upload_id == upload_id,
                UploadRow.status.in_([PREVIEWED, PUBLISHED, PUBLISHING]),
                ~alive,
            )
            .values(status=PUBLISHING, published_by=principal.principal_id, heartbeat_at=now, rows_done=0)
        ).rowcount
    return changed == 1


def record_outcomes(engine: Engine, upload_id: str, outcomes: Sequence[RowOutcome], now: datetime) -> None:
    """One chunk's rows answered; the progress moves on."""
    with engine.begin() as connection:
        for done in outcomes:
            connection.execute(
                update(UploadRowFate)
                .where(UploadRowFate.upload_id == upload_id, UploadRowFate.row_number == done.number)
                .values(
                    outcome=done.outcome,
                    topic=done.topic,
                    partition=done.partition,
                    offsets=done.offsets,
                    reasons=done.reasons,
                )
            )
        connection.execute(
            update(UploadRow)
            .where(UploadRow.upload_id == upload_id)
            .values(rows_done=UploadRow.rows_done + len(outcomes), heartbeat_at=now)
        )


def finish_publishing(engine: Engine, upload_id: str, now: datetime, problem: str | None = None) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(UploadRow)
            .where(UploadRow.upload_id == upload_id)
            .values(status=PUBLISHED if problem is None else PREVIEWED, published_at=now, problem=problem)
        )


def is_running(upload: UploadRow, now: datetime) -> bool:
    """Being read or published, with progress lately (a dead process's upload is not running)."""
    beat = upload.heartbeat_at
    busy = upload.status in (READING, PUBLISHING)
    return busy and beat is not None and beat > now - STALLED_AFTER


def _row(values: Any) -> UploadRow:
    return UploadRow(**dict(values))


def _fate(values: Any) -> UploadRowFate:
    return UploadRowFate(**dict(values))


def problems_of(fate: UploadRowFate) -> list[dict[str, Any]]:
    items: Iterable[Any] = (fate.problems or {}).get("items", [])
    return [dict(item) for item in items]
