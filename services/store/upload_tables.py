"""Report files uploaded in the browser by agency units, and the fate of each of their rows.

An upload is kept whole (the file, who sent it, when, for which agency and province scope) so the
history says who uploaded what and when, and so its rows can be published after the preview exactly as
they were previewed (the events are built again from the same bytes: their ids are deterministic).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class UploadRow(Base):
    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_agency_uploaded_at", "agency", "uploaded_at"),)

    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16))
    provinces: Mapped[str] = mapped_column(
        String(200), doc="The uploader's province scope, comma-separated ('' = the whole country)."
    )
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploader_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(
        String(16), doc="unreadable | previewed | publishing | published (see services.uploads.ledger)"
    )
    problem: Mapped[str | None] = mapped_column(Text, doc="Why the file as a whole could not be read.")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_ok: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0, doc="Rows through publishing (progress).")
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None] = mapped_column(doc="Last progress while publishing.")
    summary: Mapped[dict[str, Any]] = mapped_column(doc="Set-aside rows, ignored columns, counts by outcome.")


class UploadRowFate(Base):
    __tablename__ = "upload_rows"

    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    preview: Mapped[str] = mapped_column(String(8), doc="ok | refused")
    cells: Mapped[dict[str, Any]] = mapped_column(doc="Header → cell text as the file wrote it.")
    problems: Mapped[dict[str, Any]] = mapped_column(doc='{"items": [{column, value, reason}, ...]}')
    events: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(12), doc="accepted | duplicate | refused")
    topic: Mapped[str | None] = mapped_column(String(249))
    partition: Mapped[int | None] = mapped_column(Integer)
    offsets: Mapped[str | None] = mapped_column(String(64), doc="first-last offset of the row's events")
    reasons: Mapped[str | None] = mapped_column(Text)
