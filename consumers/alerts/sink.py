"""Where raised alerts go: the alerts topic (Kafka), or a list in tests."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import structlog
from kafka.errors import KafkaError

from consumers.kafka_io import confirming_producer
from schemas.alert_codec import AlertCodec
from schemas.alerts import Alert
from schemas.errors import BrokerUnavailable

logger = structlog.get_logger()


class AlertSink(ABC):
    @abstractmethod
    def publish(self, alerts: Sequence[Alert]) -> None:
        """Send and confirm every alert, or raise BrokerUnavailable."""

    @abstractmethod
    def close(self) -> None: ...


class KafkaAlertSink(AlertSink):
    """Avro alerts (Confluent framing, the catalog's Alert schema id) keyed by alert id."""

    def __init__(self, *, bootstrap: str, topic: str, connect_timeout_s: float = 10.0) -> None:
        self.topic = topic
        self.codec = AlertCodec()
        self.timeout_s = connect_timeout_s
        self.producer = confirming_producer(bootstrap, connect_timeout_s)

    def publish(self, alerts: Sequence[Alert]) -> None:
        try:
            futures = [
                self.producer.send(self.topic, key=str(a.alert_id).encode(), value=self.codec.encode(a))
                for a in alerts
            ]
            for future in futures:
                future.get(timeout=self.timeout_s * 3)
        except KafkaError as exc:
            raise BrokerUnavailable(f"alerts topic {self.topic} unavailable: {type(exc).__name__}") from exc

    def close(self) -> None:
        self.producer.close(timeout=self.timeout_s)


class ListAlertSink(AlertSink):
    """Keeps what it is given (tests, `casehub alerts evaluate --no-publish`)."""

    def __init__(self) -> None:
        self.published: list[Alert] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.published.extend(alerts)

    def close(self) -> None:
        return None
