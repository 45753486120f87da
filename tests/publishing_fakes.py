"""A publisher that records instead of sending, for unit tests of what publishes (importer, relay)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from producers.publisher import Delivery, FailedEvent, Publisher, PublishReport
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent


class RecordingPublisher(Publisher):
    """Validates and encodes like the real one, then keeps the events; `refuse` names ids to fail."""

    def __init__(self, refuse: Callable[[CaseEvent], str | None] = lambda event: None) -> None:
        self.codec = CaseEventCodec()
        self.topic_of = lambda agency: f"casehub.cases.{agency}"
        self.bootstrap = "recording"
        self.compression = None
        self.sent: list[CaseEvent] = []
        self.refuse = refuse

    def start(self) -> None:
        """Nothing to connect."""

    def publish_prepared(
        self,
        prepared: Iterable[tuple[CaseEvent, bytes | None]],
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> PublishReport:
        report = PublishReport()
        for event, encoded in prepared:
            if encoded is None:
                self.prepare(event)
            reason = self.refuse(event)
            if reason is not None:
                report.failed.append(FailedEvent(str(event.event_id), reason))
                continue
            self.sent.append(event)
            report.sent += 1
            report.deliveries.append(
                Delivery(str(event.event_id), event.case_id, self.topic_of(event.agency), 0, 0)
            )
        return report

    def close(self) -> None:
        """Nothing to close."""
