"""The alerts table: every early warning raised, once per alert id, with its publication state (outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.code_list import CodeList
from services.store.tables import Base


class AlertRow(Base):
    """An alert as published; `published_at` stays empty until the alerts topic has confirmed it."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(24), index=True)
    agencies: Mapped[tuple[str, ...]] = mapped_column(CodeList(200), doc="Agencies told.")
    distribution_level: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    triggered_at: Mapped[datetime] = mapped_column(doc="When the data met the rule.")
    raised_at: Mapped[datetime] = mapped_column(index=True, doc="When the hub raised it.")
    published_at: Mapped[datetime | None]
    alert: Mapped[dict[str, Any]] = mapped_column(doc="The whole Alert record as JSON.")
