"""Webhooks for agency systems: each alert addressed to the agency and each referral to it is POSTed as
JSON, signed with HMAC-SHA256 over the exact body (`X-Casehub-Signature: sha256=<hex>`), retried with
doubling back-off, and given up after settings.webhook_max_attempts as a dead letter (`/ops/webhooks`).

Secrets: a webhook's secret is HMAC-SHA256(settings.webhook_key, webhook id) — shown once at registration
and recomputed to sign, so the database holds no secret. One delivery per webhook and fact
(UUIDv5 id, insert-or-ignore): a fact is never sent twice once it has been received with a 2xx.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Connection, Engine, Table, select, update

from services.notify.webhook_destinations import (
    DestinationRefused,
    Resolve,
    allowed_networks,
    checked_destination,
    refused_destination,
    resolve_host,
)
from services.settings import Settings
from services.store.alert_store import ALERTS, addressed_to
from services.store.sql_store import EVENTS, PROJECTIONS, _insert
from services.store.webhook_tables import WebhookDeliveryRow, WebhookRow

WEBHOOKS = cast(Table, WebhookRow.__table__)
DELIVERIES = cast(Table, WebhookDeliveryRow.__table__)
REFERRALS = PROJECTIONS["referrals"]
NAMESPACE = uuid.UUID("9b1f3c2e-44aa-5e6d-b0c3-389a1e47beef")
ALERTS_PER_SWEEP = 5_000
"""Alerts queued per webhook and sweep at most; the rest wait for the next sweep, oldest first."""
_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]{3,490}$")


class WebhookRefused(ValueError):
    pass


@dataclass
class DispatchReport:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def secret_of(settings: Settings, webhook_id: str) -> str:
    key = settings.webhook_key.get_secret_value()
    if not key:
        raise WebhookRefused("webhooks need CASEHUB_WEBHOOK_KEY (the key their secrets derive from)")
    return hmac.new(key.encode(), webhook_id.encode(), hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def register(
    connection: Connection, settings: Settings, agency: str, url: str, by: str, now: datetime
) -> tuple[str, str]:
    """(webhook id, secret); the secret is not stored and is shown only now."""
    if not _URL.fullmatch(url):
        raise WebhookRefused(
            "give an http(s) URL without spaces or control characters, at most 500 characters"
        )
    webhook_id = str(uuid.uuid4())
    secret = secret_of(settings, webhook_id)
    refused = refused_destination(url, allowed_networks(settings.webhook_allowed_networks))
    if refused:
        raise WebhookRefused(refused)
    connection.execute(
        WEBHOOKS.insert(),
        [{"webhook_id": webhook_id, "agency": agency, "url": url, "created_by": by, "created_at": now}],
    )
    return webhook_id, secret


def webhooks_of(connection: Connection, agency: str | None = None) -> list[dict[str, Any]]:
    query = select(WEBHOOKS).order_by(WEBHOOKS.c.created_at)
    if agency is not None:
        query = query.where(WEBHOOKS.c.agency == agency)
    return [dict(r._mapping) for r in connection.execute(query)]


def dead_letters(connection: Connection, limit: int = 200) -> list[dict[str, Any]]:
    query = (
        select(
            DELIVERIES.c.delivery_id,
            DELIVERIES.c.fact_kind,
            DELIVERIES.c.fact_id,
            DELIVERIES.c.attempts,
            DELIVERIES.c.dead_at,
            DELIVERIES.c.last_error,
            WEBHOOKS.c.agency,
            WEBHOOKS.c.url,
        )
        .join(WEBHOOKS, WEBHOOKS.c.webhook_id == DELIVERIES.c.webhook_id)
        .where(DELIVERIES.c.dead_at.is_not(None))
        .order_by(DELIVERIES.c.dead_at.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in connection.execute(query)]


class WebhookDispatcher:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        client: httpx.Client | None = None,
        resolve: Resolve = resolve_host,
    ) -> None:
        """`resolve`: how host names become addresses (the system resolver; tests name their own)."""
        self.engine = engine
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False)
        self.allowed = allowed_networks(settings.webhook_allowed_networks)
        self.resolve = resolve

    def sweep(self, now: datetime) -> DispatchReport:
        report = DispatchReport()
        with self.engine.begin() as connection:
            for hook in webhooks_of(connection):
                report.queued += self._queue(connection, hook, now)
        self._deliver(now, report)
        return report

    def _queue(self, connection: Connection, hook: dict[str, Any], now: datetime) -> int:
        agency, since = hook["agency"], hook["created_at"]
        queued = select(DELIVERIES.c.fact_id).where(
            DELIVERIES.c.webhook_id == hook["webhook_id"], DELIVERIES.c.fact_kind == "alert"
        )
        # The oldest alerts not yet queued for this hook, a bounded number per sweep: a burst larger than
        # one sweep takes is queued over the next ones, in order (reading the newest 5,000 skipped the
        # older part of such a burst for good).
        unqueued = (
            select(ALERTS.c.alert_id, ALERTS.c.alert)
            .where(addressed_to(agency), ALERTS.c.raised_at >= since, ALERTS.c.alert_id.not_in(queued))
            .order_by(ALERTS.c.raised_at, ALERTS.c.alert_id)
            .limit(ALERTS_PER_SWEEP)
        )
        facts: list[tuple[str, str, dict[str, Any]]] = [
            ("alert", row.alert_id, row.alert) for row in connection.execute(unqueued)
        ]
        referrals = (
            select(
                REFERRALS.c.event_id,
                REFERRALS.c.case_id,
                REFERRALS.c.agency,
                REFERRALS.c.kind,
                REFERRALS.c.reason,
                EVENTS.c.occurred_at,
            )
            .join(EVENTS, EVENTS.c.event_id == REFERRALS.c.event_id)
            .where(REFERRALS.c.to_agency == agency, EVENTS.c.materialized_at >= since)
        )
        for r in connection.execute(referrals):
            facts.append(
                (
                    "referral",
                    r.event_id,
                    {
                        "event_id": r.event_id,
                        "case_id": r.case_id,
                        "from_agency": r.agency,
                        "kind": r.kind,
                        "reason": r.reason,
                        "referred_at": r.occurred_at.isoformat(),
                    },
                )
            )
        if not facts:
            return 0
        rows = {}
        for kind, fact_id, data in facts:
            delivery_id = str(uuid.uuid5(NAMESPACE, f"{hook['webhook_id']}|{kind}|{fact_id}"))
            body = {
                "delivery_id": delivery_id,
                "webhook_id": hook["webhook_id"],
                "agency": agency,
                "fact_kind": kind,
                "fact_id": fact_id,
                "data": data,
            }
            rows[delivery_id] = {
                "delivery_id": delivery_id,
                "webhook_id": hook["webhook_id"],
                "fact_kind": kind,
                "fact_id": fact_id,
                "body": body,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
                "delivered_at": None,
                "dead_at": None,
                "last_error": None,
            }
        held = set(
            connection.execute(
                select(DELIVERIES.c.delivery_id).where(DELIVERIES.c.delivery_id.in_(sorted(rows)))
            ).scalars()
        )
        fresh = [row for key, row in rows.items() if key not in held]
        if fresh:
            statement = _insert(connection, DELIVERIES).on_conflict_do_nothing(index_elements=["delivery_id"])
            connection.execute(statement, fresh)
        return len(fresh)

    def _deliver(self, now: datetime, report: DispatchReport) -> None:
        due = (
            select(DELIVERIES, WEBHOOKS.c.url)
            .join(WEBHOOKS, WEBHOOKS.c.webhook_id == DELIVERIES.c.webhook_id)
            .where(
                DELIVERIES.c.delivered_at.is_(None),
                DELIVERIES.c.dead_at.is_(None),
                DELIVERIES.c.next_attempt_at <= now,
            )
            .order_by(DELIVERIES.c.created_at, DELIVERIES.c.delivery_id)
        )
        with self.engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(due)]
        for row in rows:
            body = json.dumps(row["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            attempts = row["attempts"] + 1
            changes: dict[str, Any] = {"attempts": attempts}
            try:
                # Connect to the address just checked, not to what a second lookup would answer.
                url, host, extensions = checked_destination(row["url"], self.allowed, self.resolve).pinned()
                answer = self.client.post(
                    url,
                    content=body,
                    headers={
                        **host,
                        "Content-Type": "application/json",
                        "X-Casehub-Delivery": row["delivery_id"],
                        "X-Casehub-Signature": signature(secret_of(self.settings, row["webhook_id"]), body),
                    },
                    extensions=extensions,
                )
                error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
            except (httpx.HTTPError, WebhookRefused, DestinationRefused) as failure:
                error = f"{type(failure).__name__}: {str(failure)[:300]}"
            if error is None:
                changes |= {"delivered_at": now, "last_error": None}
                report.delivered += 1
            else:
                report.failed += 1
                changes["last_error"] = error
                if attempts >= self.settings.webhook_max_attempts:
                    changes["dead_at"] = now
                    report.dead += 1
                else:
                    changes["next_attempt_at"] = now + timedelta(
                        seconds=self.settings.webhook_backoff_s * 2 ** (attempts - 1)
                    )
            with self.engine.begin() as connection:
                connection.execute(
                    update(DELIVERIES).where(DELIVERIES.c.delivery_id == row["delivery_id"]).values(**changes)
                )
