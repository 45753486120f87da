"""Raise alerts exactly once: store new ones (by alert id) in the `alerts` table, then publish what is not
published yet and mark it. A crash or broker outage between the two leaves alerts unpublished, and the
next sweep sends them: the table holds each alert once, the topic at least once (same id, same bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from consumers.alerts.config import AlertConfig
from consumers.alerts.evaluation import evaluate
from consumers.alerts.sink import AlertSink
from consumers.clock import utcnow
from consumers.ports.alert_store import AlertStore
from schemas.alerts import Alert
from schemas.outages import BrokerUnavailable

logger = structlog.get_logger()


@dataclass(frozen=True)
class SweepResult:
    evaluated: int
    raised: int
    published: int


class AlertOutbox:
    def __init__(
        self,
        store: AlertStore,
        sink: AlertSink | None,
        config: AlertConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.sink = sink
        self.config = config or AlertConfig()
        self.clock = clock

    def sweep(self, now: datetime | None = None) -> SweepResult:
        """Evaluate every rule at `now` (default: the clock), keep the new alerts, publish the backlog."""
        now = now or self.clock()
        alerts = evaluate(self.store.facts(), self.config, now)
        raised = self.keep(alerts)
        published = self.publish_pending()
        result = SweepResult(len(alerts), len(raised), published)
        logger.info("alerts_swept", evaluated=result.evaluated, raised=result.raised, published=published)
        return result

    def keep(self, alerts: Sequence[Alert]) -> list[str]:
        """Store alerts not held yet; the ids of the new ones."""
        return self.store.add_alerts(alerts)

    def publish_pending(self) -> int:
        """Publish unpublished alerts, oldest first, and mark them; stops (0 more) while Kafka is out."""
        if self.sink is None:
            return 0
        published = 0
        while True:
            pending = self.store.unpublished()
            if not pending:
                return published
            try:
                self.sink.publish(pending)
            except BrokerUnavailable as exc:
                logger.warning("alerts_not_published", pending=len(pending), reason=str(exc))
                return published
            self.store.mark_published([str(alert.alert_id) for alert in pending], self.clock())
            published += len(pending)
