"""End-to-end latency at a steady rate: recorded_at (stamped at send) → committed in the store."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from consumers.observer import BatchObserver
from producers.publisher import Publisher
from schemas.events import CaseEvent
from services.bootstrap import build_materializer, create_topics, open_store
from services.settings import Settings
from services.store.records import DeadLetter, StoredEvent


class LatencyProbe(BatchObserver):
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        now = datetime.now(UTC)
        self.latencies_ms.extend((now - e.recorded_at).total_seconds() * 1000 for e in events)


@dataclass(frozen=True)
class Latency:
    events: int
    p50_ms: float
    p99_ms: float
    achieved_rate: float


def steady_latency(
    settings: Settings, database_url: str, source: Iterator[CaseEvent], rate: int, seconds: float
) -> Latency:
    """Send `rate` events/s for `seconds` while a materializer runs; percentiles of commit latency."""
    create_topics(settings)
    _, store = open_store(settings.model_copy(update={"database_url": database_url}))
    probe = LatencyProbe()
    materializer = build_materializer(settings, store, observer=probe)
    stop = threading.Event()
    consumer = threading.Thread(target=materializer.run, args=(stop,), daemon=True)
    consumer.start()
    time.sleep(3)  # let the consumer join its group before the clock starts
    publisher = Publisher(bootstrap=settings.kafka_bootstrap, topic_of=settings.agency_topic, linger_ms=1)
    sent, started = 0, time.perf_counter()
    tick = 0.05
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate) - sent
        if due > 0:
            now = datetime.now(UTC)
            batch = [
                e.model_copy(update={"event_id": uuid.uuid4(), "recorded_at": now})
                for e in _take(source, due)
            ]
            publisher.publish(batch)
            sent += len(batch)
        time.sleep(tick)
    achieved = sent / (time.perf_counter() - started)
    deadline = time.monotonic() + 30
    while len(probe.latencies_ms) < sent and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    consumer.join(timeout=30)
    publisher.close()
    materializer.source.close()
    materializer.dead_letter_sink.close()
    ordered = sorted(probe.latencies_ms)
    return Latency(
        len(ordered), statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))], achieved
    )


def _take(source: Iterator[CaseEvent], count: int) -> list[CaseEvent]:
    return [next(source) for _ in range(count)]
