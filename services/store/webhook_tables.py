"""Webhooks of agency systems and their deliveries (an outbox with retries and dead letters).

No secret is stored: a webhook's signing secret is HMAC(settings.webhook_key, webhook id), shown once to
whoever registers it and recomputed to sign each delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class WebhookRow(Base):
    __tablename__ = "webhooks"

    webhook_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16), index=True)
    url: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "delivered_at", "dead_at", "next_attempt_at"),)

    delivery_id: Mapped[str] = mapped_column(String(36), primary_key=True, doc="UUIDv5(webhook | fact)")
    webhook_id: Mapped[str] = mapped_column(String(36), index=True)
    fact_kind: Mapped[str] = mapped_column(String(16))
    fact_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None] = mapped_column(doc="Given up after settings.webhook_max_attempts.")
    last_error: Mapped[str | None] = mapped_column(Text)
