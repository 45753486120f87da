"""The demo users' subscriptions (`casehub up`): each hears about something of its own, by e-mail to the
demo's local SMTP sink, so the summary can point at real messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from services.notify.subscriptions import subscribe

DEMO_MAIL_DOMAIN = "demo.casehub.local"
DEMO_SUBSCRIPTIONS = (
    ("demo-qltt-analyst", "seller", "SUBJ-SONXINH"),
    ("demo-qltt-hanoi-officer", "province", "01"),
    ("demo-customs-analyst", "category", "counterfeit"),
    ("demo-police-analyst", "platform", "facebook"),
)
DEMO_BACKFILL_DAYS = 500
"""The demo data spans a year from 2025-09: the demo notifier looks that far back."""


def seed_demo_subscriptions(engine: Engine, now: datetime) -> int:
    with engine.begin() as connection:
        for principal_id, kind, value in DEMO_SUBSCRIPTIONS:
            subscribe(connection, principal_id, kind, value, f"{principal_id}@{DEMO_MAIL_DOMAIN}", now)
    return len(DEMO_SUBSCRIPTIONS)
