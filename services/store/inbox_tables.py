"""The alerts inbox: what each recipient agency did with an alert (acknowledged, assigned, closed).

Append-only: one row per action, the state after it, who acted and when; the current state of an alert for
an agency is its latest row (none: new). An alert is one finding told to several agencies, so the state is
per recipient agency — QLTT closing its copy of an OVERLAP says nothing about the police's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class AlertActionRow(Base):
    __tablename__ = "alert_actions"
    __table_args__ = (Index("ix_alert_actions_agency_alert", "agency", "alert_id"),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(36))
    agency: Mapped[str] = mapped_column(String(32), doc="The recipient agency whose inbox this is.")
    action: Mapped[str] = mapped_column(String(16), doc="acknowledge, assign, close or reopen")
    state: Mapped[str] = mapped_column(String(16), doc="The state after the action.")
    assignee: Mapped[str | None] = mapped_column(String(128), doc="The principal assigned (assign only).")
    actor: Mapped[str] = mapped_column(String(128), doc="The principal who acted.")
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
