"""Reading an upload into its preview, chunk by chunk after the upload's answer has gone (a 10,000-row
report takes tens of seconds to check), so the page shows how far it got; any failure ends as an
unreadable upload with its reason, never a half-read one left behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy import Engine

from services.uploads.ledger import finish_reading, save_previews
from services.uploads.row_plan import RowPlanner, UnreadableFile, read_report, shown

logger = structlog.get_logger()
CHUNK_ROWS = 250


def preview_upload(
    engine: Engine,
    upload_id: str,
    content: bytes,
    filename: str,
    agency: str,
    provinces: frozenset[str],
    clock: Callable[[], datetime],
) -> None:
    """Check every row of the upload and keep its fate (blocking: run after the response)."""
    try:
        read = read_report(content, filename, agency, clock())
        planner = RowPlanner(read.importer, provinces)
        for start in range(0, len(read.rows), CHUNK_ROWS):
            save_previews(engine, upload_id, planner.plan(read.rows[start : start + CHUNK_ROWS]), clock())
    except UnreadableFile as exc:
        finish_reading(engine, upload_id, str(exc))
        return
    except Exception as exc:  # a bug or an outage must still end the upload with a reason
        logger.exception("upload_preview_failed", upload_id=upload_id)
        finish_reading(
            engine, upload_id, shown(f"không đọc xong tệp (the file could not be read): {exc}")[:1000]
        )
        return
    finish_reading(engine, upload_id, None, read.skipped, read.ignored_columns)
    logger.info("upload_previewed", upload_id=upload_id, rows=len(read.rows))
