"""Where raised alerts go: each addressed agency's alerts topic (Kafka); tests keep them in a list
(tests/alert_fakes.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence

import structlog
from kafka.errors import KafkaError

from consumers.kafka_dead_letters import confirming_producer
from schemas.alert_codec import AlertCodec
from schemas.alerts import Alert
from schemas.outages import BrokerUnavailable
from schemas.vocabulary import DistributionLevel

logger = structlog.get_logger()


class AlertSink(ABC):
    @abstractmethod
    def publish(self, alerts: Sequence[Alert]) -> None:
        """Send and confirm every alert, or raise BrokerUnavailable."""

    @abstractmethod
    def close(self) -> None: ...


class KafkaAlertSink(AlertSink):
    """Avro alerts (Confluent framing, the catalog's Alert schema id) keyed by alert id.

    An alert goes to the topic of every agency it is addressed to (`topic_of(agency)`: the agencies it
    concerns, or all of `every_agency` when shared with all, the rule the API applies), each topic
    readable by its agency alone (broker ACLs), so no agency reads the alerts addressed to another."""

    def __init__(
        self,
        *,
        bootstrap: str,
        topic_of: Callable[[str], str],
        every_agency: Sequence[str],
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
    ) -> None:
        self.topic_of = topic_of
        self.every_agency = tuple(every_agency)
        self.codec = AlertCodec()
        self.timeout_s = connect_timeout_s
        self.producer = confirming_producer(bootstrap, connect_timeout_s, security)

    def publish(self, alerts: Sequence[Alert]) -> None:
        try:
            futures = [
                self.producer.send(self.topic_of(agency), key=str(a.alert_id).encode(), value=value)
                for a in alerts
                for value in (self.codec.encode(a),)
                for agency in self.addressees(a)
            ]
            for future in futures:
                future.get(timeout=self.timeout_s * 3)
        except KafkaError as exc:
            raise BrokerUnavailable(f"alert topics unavailable: {type(exc).__name__}") from exc

    def addressees(self, alert: Alert) -> list[str]:
        if alert.distribution.level is DistributionLevel.ALL_AGENCIES:
            return sorted(set(self.every_agency) | set(alert.agencies))
        return sorted(set(alert.agencies))

    def close(self) -> None:
        self.producer.close(timeout=self.timeout_s)
