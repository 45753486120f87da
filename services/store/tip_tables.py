"""What the public tip desk keeps besides the events: the form tokens already used (replays are refused)
and BCĐ 389's triage decision on each tip (one per tip: a second decision is a conflict, not a race).

No contact is stored here or anywhere: the reporter exists only as the keyed hash inside the event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class TipFormUseRow(Base):
    """A signed form token that has been posted once; kept until it would have expired anyway."""

    __tablename__ = "tip_form_uses"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(index=True)


class TipTriageRow(Base):
    """BCĐ 389's decision on a tip: assigned to an agency (its CaseOpened) or dismissed (a CaseClosed)."""

    __tablename__ = "tip_triage"

    tip_event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16), doc="assigned or dismissed")
    agency: Mapped[str | None] = mapped_column(String(16), doc="the agency a tip was assigned to")
    reason: Mapped[str | None] = mapped_column(Text, doc="why a tip was dismissed")
    event_id: Mapped[str] = mapped_column(String(36), doc="the event published for the decision")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
