"""One sweep: every subscription's new matching facts become notifications (once per principal and fact:
a UUIDv5 id, insert-or-ignore), then pending e-mails are sent, oldest fact first, each attempt recorded,
given up after settings.notify_max_attempts. Re-running a sweep, or two sweepers at once, adds nothing
twice. Alerts are read per subscription from its high-water mark, a bounded number per sweep
(services/notify/alert_marks.py), so every alert of its window is read at last, in order."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import Connection, Engine, Table, select, update

from services.access.principal import Principal
from services.access.resolver import principal_of
from services.notify.alert_marks import alerts_after, keep_mark
from services.notify.mail import SmtpMailer
from services.notify.matching import alert_matches, entity_of, matched_case_ids
from services.notify.subscriptions import Interest, Subscription, list_subscriptions
from services.settings import Settings
from services.store.inbox_store import PRINCIPALS
from services.store.notification_tables import NotificationRow
from services.store.sql_store import _insert
from services.views.dossier_totals import cases_of
from services.views.incoming_referrals import incoming
from services.views.visible_cases import visible_cases

NOTIFICATIONS = cast(Table, NotificationRow.__table__)
NAMESPACE = uuid.UUID("5a0e2b7c-91d4-5f3a-a8c6-389a1e47f00d")
logger = structlog.get_logger(__name__)


@dataclass
class SweepReport:
    notified: int = 0
    emailed: int = 0
    failed: int = 0


def notification_id(principal_id: str, fact_kind: str, fact_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{principal_id}|{fact_kind}|{fact_id}"))


class Notifier:
    def __init__(self, engine: Engine, settings: Settings, mailer: SmtpMailer | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.mailer = mailer or SmtpMailer(settings)

    def sweep(self, now: datetime) -> SweepReport:
        report = SweepReport()
        with self.engine.begin() as connection:
            subs = list_subscriptions(connection)
            by_principal: dict[str, list[Subscription]] = defaultdict(list)
            for sub in subs:
                by_principal[sub.principal_id].append(sub)
            for principal_id, held in sorted(by_principal.items()):
                principal = _principal(connection, principal_id)
                if principal is not None:
                    report.notified += self._notify(connection, principal, held, now)
        if self.mailer.configured:
            self._deliver(now, report)
        return report

    def _notify(
        self, connection: Connection, principal: Principal, subs: list[Subscription], now: datetime
    ) -> int:
        viewer = principal.viewer(now)
        cases = visible_cases(connection, viewer)
        agency = principal.agency
        referrals = (
            incoming(connection, agency, viewer, cases, self.settings.alert_referral_days) if agency else []
        )
        rows: dict[str, dict[str, object]] = {}
        for sub in subs:
            since = sub.created_at - timedelta(days=self.settings.notify_backfill_days)
            matched = matched_case_ids(connection, viewer, cases, sub)
            entity = entity_of(connection, sub.value) if sub.kind is Interest.SELLER else None
            facts: list[tuple[str, str, str, str, datetime]] = []
            for case in cases_of(connection, cases, matched):
                if case["first_event_at"] >= since:
                    facts.append(
                        (
                            "case",
                            case["case_id"],
                            f"Vụ việc mới {case['case_id']}: {case['title'] or ''}",
                            f"/cases/{case['case_id']}",
                            case["first_event_at"],
                        )
                    )
            page = alerts_after(connection, agency or "-", since, sub.alerts_read, now, sub.alerts_ahead)
            for alert in page.alerts:
                if alert_matches(alert["alert"], sub, entity, matched):
                    facts.append(
                        (
                            "alert",
                            alert["alert_id"],
                            f"Cảnh báo {alert['rule']}: {alert['summary']}",
                            f"/alerts?rule={alert['rule']}",
                            alert["raised_at"],
                        )
                    )
            if (page.mark, page.ahead) != (sub.alerts_read, sub.alerts_ahead):
                keep_mark(connection, sub.subscription_id, page.mark, page.ahead)
            if page.full:  # a burst larger than one sweep: the next sweeps read on from the read-ahead
                logger.info(
                    "notifier_alerts_continue",
                    principal=principal.principal_id,
                    subscription=sub.subscription_id,
                    read=len(page.alerts),
                    read_to=page.alerts[-1]["raised_at"].isoformat(),
                )
            for referral in referrals:
                if referral.referred_at >= since and referral.case_id in matched:
                    facts.append(
                        (
                            "referral",
                            referral.event_id,
                            f"Vụ việc {referral.case_id} được {referral.from_agency} chuyển đến",
                            "/referrals",
                            referral.referred_at,
                        )
                    )
            for kind, fact_id, title, link, fact_at in facts:
                key = notification_id(principal.principal_id, kind, fact_id)
                rows.setdefault(
                    key,
                    {
                        "notification_id": key,
                        "principal_id": principal.principal_id,
                        "fact_kind": kind,
                        "fact_id": fact_id,
                        "subscription_id": sub.subscription_id,
                        "title": title[:1000],
                        "link": link[:300],
                        "created_at": now,
                        "fact_at": fact_at,
                        "read_at": None,
                        "email": sub.email,
                        "email_wanted": sub.email is not None,
                        "emailed_at": None,
                        "email_attempts": 0,
                        "email_error": None,
                    },
                )
        known = select(NOTIFICATIONS.c.notification_id).where(
            NOTIFICATIONS.c.notification_id.in_(sorted(rows))
        )
        held = set(connection.execute(known).scalars())
        fresh = [row for key, row in rows.items() if key not in held]
        if fresh:  # insert-or-ignore: a concurrent sweeper's rows stay as they are
            statement = _insert(connection, NOTIFICATIONS).on_conflict_do_nothing(
                index_elements=["notification_id"]
            )
            connection.execute(statement, fresh)
        return len(fresh)

    def _deliver(self, now: datetime, report: SweepReport) -> None:
        pending = (
            select(NOTIFICATIONS)
            .where(
                NOTIFICATIONS.c.email_wanted.is_(True),
                NOTIFICATIONS.c.emailed_at.is_(None),
                NOTIFICATIONS.c.email_attempts < self.settings.notify_max_attempts,
            )
            .order_by(
                NOTIFICATIONS.c.created_at,
                NOTIFICATIONS.c.fact_at,
                NOTIFICATIONS.c.fact_id,
                NOTIFICATIONS.c.notification_id,
            )
        )
        with self.engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(pending)]
        for row in rows:
            changes: dict[str, object] = {"email_attempts": row["email_attempts"] + 1}
            try:
                body = f"{row['title']}\n\nXem: {row['link']}\n\n(casehub — thông báo theo đăng ký của bạn)"
                self.mailer.send(str(row["email"]), row["title"], body)
                changes |= {"emailed_at": now, "email_error": None}
                report.emailed += 1
            except Exception as error:
                changes["email_error"] = f"{type(error).__name__}: {str(error)[:300]}"
                report.failed += 1
                logger.warning(
                    "notification_email_failed",
                    notification=row["notification_id"],
                    error=type(error).__name__,
                    attempt=changes["email_attempts"],
                )
            with self.engine.begin() as connection:
                connection.execute(
                    update(NOTIFICATIONS)
                    .where(NOTIFICATIONS.c.notification_id == row["notification_id"])
                    .values(**changes)
                )


def _principal(connection: Connection, principal_id: str) -> Principal | None:
    row = connection.execute(
        select(PRINCIPALS).where(
            PRINCIPALS.c.principal_id == principal_id, PRINCIPALS.c.disabled_at.is_(None)
        )
    ).first()
    return principal_of(row._mapping) if row is not None else None
