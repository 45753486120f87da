"""The one home of a record source's lazy KafkaConsumer: built from its configuration on `start()` or first
use, never in the constructor (RecordSource says why: a process can fail fast before it serves anything),
a broker that does not answer within the connect timeout is BrokerUnavailable, and a source that never
connected has nothing to close. The live group subscription (consumers.kafka_io) and the rebuild's replay
(consumers.log_replay) differ only in what they do with the consumer once it is connected."""

from __future__ import annotations

import threading
from abc import abstractmethod
from typing import cast

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from consumers.source import RecordSource
from schemas.outages import reaching_kafka


class LazyKafkaSource(RecordSource):
    """A RecordSource over one KafkaConsumer that connects on first use."""

    def __init__(self, *, bootstrap: str, config: dict[str, object]) -> None:
        self._bootstrap = bootstrap
        self._config = config
        self._consumer: KafkaConsumer | None = None
        self._starting = threading.Lock()

    def poll_limit(self, max_records: int | None) -> int:
        """What one poll may take: `max_records`, never more than the consumer's `max_poll_records`
        (kafka-python's `poll(max_records=...)` would go past it)."""
        configured = cast(int, self._config["max_poll_records"])  # both sources configure it
        return configured if max_records is None else max(1, min(max_records, configured))

    def start(self) -> None:
        """Connect, then subscribe or assign (`_connected`); idempotent, and one consumer however many
        threads start it at once: a second KafkaConsumer would join the group as a member nobody polls,
        holding its partitions and stalling every rebalance until the group's timeout."""
        if self._consumer is not None:
            return
        with self._starting:
            if self._consumer is not None:
                return
            with reaching_kafka(self._bootstrap, KafkaError):
                consumer = KafkaConsumer(**self._config)
            self._connected(consumer)
            self._consumer = consumer

    @abstractmethod
    def _connected(self, consumer: KafkaConsumer) -> None:
        """Subscribe or assign the consumer just connected, before the source keeps it."""

    @property
    def consumer(self) -> KafkaConsumer:
        """The connected consumer (connecting on first use)."""
        self.start()
        assert self._consumer is not None
        return self._consumer

    def close(self) -> None:
        """Leave the group (if any); a source that never connected has nothing to close."""
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
