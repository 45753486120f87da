"""Publish case events: validate (pydantic) → encode (Avro, Confluent framing) → send, keyed by case id."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog
from kafka import KafkaProducer
from kafka.errors import KafkaError

from schemas.codec import CaseEventCodec
from schemas.errors import BrokerUnavailable, CasehubError
from schemas.events import CaseEvent

logger = structlog.get_logger()


class PublishError(CasehubError):
    """The broker did not confirm an event."""


@dataclass
class PublishReport:
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


class Publisher:
    """Sends events idempotently with acks=all; `topic_of` maps an agency code to its topic."""

    def __init__(
        self,
        *,
        bootstrap: str,
        topic_of: Callable[[str], str],
        codec: CaseEventCodec | None = None,
        connect_timeout_s: float = 10.0,
        client_id: str = "casehub-publisher",
    ) -> None:
        self.codec = codec or CaseEventCodec()
        self.topic_of = topic_of
        self.bootstrap = bootstrap
        try:
            self.producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                client_id=client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=10,
                batch_size=256 * 1024,
                max_block_ms=int(connect_timeout_s * 1000),
                delivery_timeout_ms=max(30_000, int(connect_timeout_s * 3000)),
                request_timeout_ms=int(connect_timeout_s * 1000),
                bootstrap_timeout_ms=int(connect_timeout_s * 1000),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}") from exc

    def publish(self, events: Iterable[CaseEvent]) -> PublishReport:
        """Send every event and wait until the broker confirmed each; failures are reported, not raised."""
        report = PublishReport()
        pending = []
        for event in events:
            value = self.codec.encode(event)
            future = self.producer.send(self.topic_of(event.agency), key=event.case_id.encode(), value=value)
            pending.append((event, future))
        self.producer.flush()
        for event, future in pending:
            try:
                future.get(timeout=0)
                report.sent += 1
            except KafkaError as exc:
                report.failed.append((str(event.event_id), f"{type(exc).__name__}: {exc}"))
        logger.info("events_published", sent=report.sent, failed=len(report.failed))
        return report

    def close(self) -> None:
        self.producer.close(timeout=5)
