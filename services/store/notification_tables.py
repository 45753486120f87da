"""Subscriptions and the notifications they produce.

A subscription is one principal's interest in a province, category, platform, seller (entity) or
identifier, optionally with an address to e-mail. A notification is one fact (a new case, an alert, a
referral) told to one principal: its id is UUIDv5(principal | kind | fact id), so a fact matched by two
subscriptions, or by two sweeps, is one notification, and it is e-mailed at most once (`emailed_at`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("principal_id", "kind", "value", name="uq_subscriptions_interest"),)

    subscription_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), doc="province, category, platform, seller or identifier")
    value: Mapped[str] = mapped_column(
        String(512), doc="As matched: a code, an entity id, a typed identifier."
    )
    email: Mapped[str | None] = mapped_column(String(254), doc="Where to e-mail matches; none: in-app only.")
    created_at: Mapped[datetime]
    alerts_read_at: Mapped[datetime | None] = mapped_column(
        doc="raised_at of the last alert this subscription has read for good (services/notify/notifier.py)."
    )
    alerts_read_id: Mapped[str | None] = mapped_column(String(36), doc="That alert's id (ties on raised_at).")
    alerts_ahead_at: Mapped[datetime | None] = mapped_column(
        doc="raised_at of the last alert a sweep read past a full page: the next reads on from it."
    )
    alerts_ahead_id: Mapped[str | None] = mapped_column(String(36), doc="That alert's id.")


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_principal_read", "principal_id", "read_at"),)

    notification_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64))
    fact_kind: Mapped[str] = mapped_column(String(16), doc="case, alert or referral")
    fact_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str] = mapped_column(String(36), doc="The first subscription that matched.")
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), doc="The page that shows the fact (path on the hub).")
    created_at: Mapped[datetime]
    fact_at: Mapped[datetime | None] = mapped_column(doc="When the fact happened: e-mails go oldest first.")
    read_at: Mapped[datetime | None]
    email: Mapped[str | None] = mapped_column(String(254))
    email_wanted: Mapped[bool] = mapped_column(Boolean)
    emailed_at: Mapped[datetime | None]
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str | None] = mapped_column(Text, doc="The last failure; given up after N attempts.")
