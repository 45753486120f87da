"""Prometheus metrics of a materializer, fed by the BatchObserver hook after each committed batch."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from consumers.batch_histogram import BatchHistogram
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent

BATCH_SIZE_BUCKETS = (1, 10, 50, 100, 250, 500, 1000, 2000, 5000)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
END_TO_END_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400)


class MaterializerMetrics(BatchObserver):
    """Counters and histograms labelled by consumer group, registered in the registry it is given."""

    def __init__(
        self,
        group: str,
        registry: CollectorRegistry,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.group = group
        self.now = now
        labels = ["group"]
        self.records = Counter(
            "casehub_consumer_records", "Records consumed from agency topics.", labels, registry=registry
        )
        self.events = Counter(
            "casehub_events_materialized",
            "Events written to the store (new or repeated).",
            labels,
            registry=registry,
        )
        self.dead_letters = Counter(
            "casehub_dead_letters",
            "Records rejected to the dead-letter topic, by error class.",
            [*labels, "reason"],
            registry=registry,
        )
        self.store_failures = Counter(
            "casehub_store_unavailable",
            "Store transactions that failed (the batch is retried).",
            labels,
            registry=registry,
        )
        self.batch_records = Histogram(
            "casehub_batch_records",
            "Records per polled batch.",
            labels,
            buckets=BATCH_SIZE_BUCKETS,
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "casehub_batch_duration_seconds",
            "Poll-to-commit time of one batch.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.store_seconds = Histogram(
            "casehub_store_write_duration_seconds",
            "Time of the batch's database transaction.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.end_to_end = BatchHistogram(  # a batch at once: Histogram.observe per event cost ~1.7 µs
            "casehub_end_to_end_latency_seconds",
            "From an event's recorded_at at the agency to its batch being committed in the hub.",
            labels,
            END_TO_END_BUCKETS,
            registry,
        )
        self.last_batch = Gauge(
            "casehub_last_batch_timestamp_seconds",
            "When the last batch was committed (Unix time).",
            labels,
            registry=registry,
        )

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        group = self.group
        self.records.labels(group).inc(records)
        self.events.labels(group).inc(len(events))
        for letter in dead_letters:
            self.dead_letters.labels(group, letter.error_class).inc()
        self.batch_records.labels(group).observe(records)
        self.batch_seconds.labels(group).observe(batch_seconds)
        self.store_seconds.labels(group).observe(store_seconds)
        committed = self.now()
        self.end_to_end.observe_many(
            (group,), [max((committed - event.recorded_at).total_seconds(), 0.0) for event in events]
        )
        self.last_batch.labels(group).set(time.time())

    def store_unavailable(self, error: Exception) -> None:
        self.store_failures.labels(self.group).inc()
