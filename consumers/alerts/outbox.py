"""Raise alerts exactly once: store new ones (by alert id) in the `alerts` table, then publish what is not
published yet and mark it. A crash or broker outage between the two leaves alerts unpublished, and the
next sweep sends them: the table holds each alert once, the topic at least once (same id, same bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Engine

from consumers.alerts.config import AlertConfig
from consumers.alerts.evaluation import evaluate
from consumers.alerts.sink import AlertSink
from consumers.clock import utcnow
from schemas.alerts import Alert
from schemas.outages import BrokerUnavailable
from services.store import alert_store

logger = structlog.get_logger()


@dataclass(frozen=True)
class SweepResult:
    evaluated: int
    raised: int
    published: int


class AlertOutbox:
    def __init__(
        self,
        engine: Engine,
        sink: AlertSink | None,
        config: AlertConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.config = config or AlertConfig()
        self.clock = clock

    def sweep(self, now: datetime | None = None) -> SweepResult:
        """Evaluate every rule at `now` (default: the clock), keep the new alerts, publish the backlog."""
        now = now or self.clock()
        with self.engine.connect() as connection:
            facts = alert_store.read_facts(connection)
        alerts = evaluate(facts, self.config, now)
        raised = self.keep(alerts)
        published = self.publish_pending()
        result = SweepResult(len(alerts), len(raised), published)
        logger.info("alerts_swept", evaluated=result.evaluated, raised=result.raised, published=published)
        return result

    def keep(self, alerts: Sequence[Alert]) -> list[str]:
        """Store alerts not held yet; the ids of the new ones."""
        with self.engine.begin() as connection:
            return alert_store.add_alerts(connection, [_row(a) for a in alerts])

    def publish_pending(self) -> int:
        """Publish unpublished alerts, oldest first, and mark them; stops (0 more) while Kafka is out."""
        if self.sink is None:
            return 0
        published = 0
        while True:
            with self.engine.connect() as connection:
                pending = alert_store.unpublished(connection)
            if not pending:
                return published
            try:
                self.sink.publish([Alert.model_validate(row["alert"]) for row in pending])
            except BrokerUnavailable as exc:
                logger.warning("alerts_not_published", pending=len(pending), reason=str(exc))
                return published
            with self.engine.begin() as connection:
                alert_store.mark_published(connection, [row["alert_id"] for row in pending], self.clock())
            published += len(pending)


def _row(alert: Alert) -> dict[str, object]:
    return {
        "alert_id": str(alert.alert_id),
        "rule": alert.rule.value,
        "entity_id": alert.entity_id,
        "agencies": alert.agencies,
        "distribution_level": alert.distribution.level.value,
        "summary": alert.summary,
        "triggered_at": alert.triggered_at,
        "raised_at": alert.raised_at,
        "published_at": None,
        "alert": alert.model_dump(mode="json"),
    }
