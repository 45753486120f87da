"""The materializer: the tracking-consumer loop (consumers/tracking.py) with the case store's handler —
decoded events become log rows, per-event rows and refolded cases, in the batch's one transaction.

Records the decoder rejects are this group's dead letters: published to the dead-letter topic and kept in
the dead_letters table with the batch's offsets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from consumers.backoff import Backoff
from consumers.batch_budget import BatchBudget
from consumers.decoding import DecodedBatch, RecordDecoder
from consumers.liveness import Liveness
from consumers.observer import BatchObserver
from consumers.ports.case_store import CaseStore, StoreTransaction
from consumers.projections import apply_events
from consumers.records import StoredEvent
from consumers.source import DeadLetterSink, InboundRecord, RecordSource
from consumers.tracking import BatchOutcome, TrackingConsumer
from schemas.codec import CaseEventCodec

logger = structlog.get_logger()


@dataclass
class MaterializerStats:
    batches: int = 0
    records: int = 0
    events: int = 0
    dead_letters: int = 0

    def __add__(self, other: MaterializerStats) -> MaterializerStats:
        """The counts of two runs together (a rebuild's processes, a run resumed)."""
        return MaterializerStats(
            self.batches + other.batches,
            self.records + other.records,
            self.events + other.events,
            self.dead_letters + other.dead_letters,
        )


class CaseHandler:
    """What the materializer's group does with a batch: apply its events to the case store."""

    keeps_decode_failures = True

    def __init__(self) -> None:
        self.stats = MaterializerStats()

    def items_of(self, batch: DecodedBatch) -> list[StoredEvent]:
        return list(batch.events)

    def apply(self, tx: StoreTransaction, items: Sequence[StoredEvent]) -> None:
        apply_events(tx, items)

    def done(self, records: Sequence[InboundRecord], outcome: BatchOutcome[StoredEvent, None]) -> None:
        self.stats.batches += 1
        self.stats.records += len(records)
        self.stats.events += len(outcome.items)
        self.stats.dead_letters += len(outcome.dead_letters)
        first = {(r.topic, r.partition): r.offset for r in reversed(records)}
        last = {(r.topic, r.partition): r.offset for r in records}  # named once a partition, not a record
        logger.info(
            "batch_materialized",
            first_offsets={f"{topic}-{partition}": offset for (topic, partition), offset in first.items()},
            last_offsets={f"{topic}-{partition}": offset for (topic, partition), offset in last.items()},
            records=len(records),
            events=len(outcome.items),
            dead_letters=len(outcome.dead_letters),
            partitions=len(outcome.next_offsets),
        )


class Materializer(TrackingConsumer[StoreTransaction, StoredEvent, None]):
    store: CaseStore
    dead_letter_sink: DeadLetterSink

    def __init__(
        self,
        *,
        source: RecordSource,
        store: CaseStore,
        dead_letter_sink: DeadLetterSink,
        codec: CaseEventCodec,
        group: str,
        topic_agency: Callable[[str], str | None] = lambda _topic: None,
        observer: BatchObserver | None = None,
        backoff: Backoff | None = None,
        liveness: Liveness | None = None,
        budget: BatchBudget | None = None,
    ) -> None:
        self.cases = CaseHandler()
        super().__init__(
            source=source,
            store=store,
            handler=self.cases,
            decoder=RecordDecoder(codec=codec, group=group, topic_agency=topic_agency),
            dead_letter_sink=dead_letter_sink,
            observer=observer,
            backoff=backoff,
            liveness=liveness or Liveness("materializer"),
            budget=budget,
        )

    @property
    def stats(self) -> MaterializerStats:
        return self.cases.stats

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> MaterializerStats:
        super().run(stop, idle_exit_s)
        return self.stats

    def process(self, records: Sequence[InboundRecord], stop: threading.Event | None = None) -> DecodedBatch:
        """Materialize one polled batch; the batch as written (events kept, dead letters) comes back."""
        outcome = self.process_batch(records, stop)
        return DecodedBatch(outcome.items, outcome.dead_letters, outcome.next_offsets)
