"""Cases as each audience sees them, kept by the materializer for cases with restricted events.

Most cases are shared with every agency and read from `cases`. A case with an event that is not (an
OWNER_ONLY or LISTED event, a restricting handling code, an embargo) gets a row in `restricted_cases` and,
per audience (an agency code, or "*" for the public), the fold of the events that audience may see.
Reads then stay set queries at any size. Embargoes end on their own: `valid_until` is the earliest embargo
still running when the views were written; after it, readers refold that case live until its next write.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Column, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base, CaseRow, UtcDateTime, id_text


class RestrictedCaseRow(Base):
    __tablename__ = "restricted_cases"
    __table_args__ = (
        Index(
            "ix_restricted_cases_valid_until",
            "valid_until",
            postgresql_where=text("valid_until IS NOT NULL"),
            sqlite_where=text("valid_until IS NOT NULL"),
        ),
    )

    case_id: Mapped[str] = mapped_column(id_text(64), primary_key=True)
    valid_until: Mapped[datetime | None] = mapped_column(doc="Views are exact until this embargo ends.")


def _view_columns() -> list[Column[object]]:
    columns: list[Column[object]] = [Column("audience", String(16), primary_key=True)]
    for column in CaseRow.__table__.columns:
        copy = column._copy()
        copy.index = None
        columns.append(copy)
    return columns


CASE_AUDIENCE_VIEWS = Table(
    "case_audience_views",
    Base.metadata,
    *_view_columns(),
    Index("ix_case_audience_views_case_id", "case_id"),
    Index("ix_case_audience_views_scope", "audience", "current_province_code", "first_event_at"),
)
RESTRICTED_CASES = cast(Table, RestrictedCaseRow.__table__)
__all__ = ["CASE_AUDIENCE_VIEWS", "RESTRICTED_CASES", "UtcDateTime"]
