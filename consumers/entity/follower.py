"""The entity consumer (group `casehub-entities`): agency topics → linked seller entities, exactly once in
effect — the tracking-consumer loop (consumers/tracking.py) with the linker as its handler, writing through
the entity store port (consumers/entity/store_port.py).

A separate group rather than a step of the materializer's transaction: a merge or a cap demotion can
rewrite hundreds of memberships, a relink after a stop-list change touches everything, and neither
should slow or fail the materialization of cases; the group can be rebuilt, re-run with a new cap or
stopped without touching the case store. Records the decoder rejects are skipped here (the materializer
dead-letters them); a sighting the entity store refuses is a dead letter of this group, kept in the
dead_letters table. The alert rules are not run here: they are a scheduled job of their own
(consumers/scheduled_job.py, wired in services/early_warning.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from consumers.backoff import Backoff
from consumers.decoding import DecodedBatch, RecordDecoder
from consumers.entity.keys import Sighting, sighting_of
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.entity.store_port import EntityStore, EntityTransaction
from consumers.liveness import Liveness
from consumers.records import StoredEvent
from consumers.source import InboundRecord, RecordSource
from consumers.tracking import BatchOutcome, TrackingConsumer
from schemas.codec import CaseEventCodec

logger = structlog.get_logger()


@dataclass
class FollowerStats:
    batches: int = 0
    records: int = 0
    sightings: int = 0
    merges: int = 0
    splits: int = 0


class LinkingHandler:
    """What the entity group does with a batch: link the sightings of its SubjectIdentified events."""

    keeps_decode_failures = False

    def __init__(self, linker: EntityLinker) -> None:
        self.linker = linker
        self.stats = FollowerStats()

    def items_of(self, batch: DecodedBatch) -> list[Sighting]:
        return sightings_of(batch.events)

    def apply(self, tx: EntityTransaction, items: Sequence[Sighting]) -> LinkReport:
        return self.linker.link(tx, items)

    def done(self, records: Sequence[InboundRecord], outcome: BatchOutcome[Sighting, LinkReport]) -> None:
        report = outcome.report
        self.stats.batches += 1
        self.stats.records += len(records)
        self.stats.sightings += len(outcome.items)
        self.stats.merges += report.merges
        self.stats.splits += report.splits
        logger.info(
            "entities_linked",
            records=len(records),
            sightings=len(outcome.items),
            merges=report.merges,
            splits=report.splits,
            moved=report.moved_subjects,
            dead_letters=len(outcome.dead_letters),
        )


class EntityFollower(TrackingConsumer[EntityTransaction, Sighting, LinkReport]):
    def __init__(
        self,
        *,
        source: RecordSource,
        store: EntityStore,
        codec: CaseEventCodec,
        group: str,
        linker: EntityLinker,
        topic_agency: Callable[[str], str | None] = lambda _topic: None,
        backoff: Backoff | None = None,
        liveness: Liveness | None = None,
    ) -> None:
        self.linking = LinkingHandler(linker)
        super().__init__(
            source=source,
            store=store,
            handler=self.linking,
            decoder=RecordDecoder(codec=codec, group=group, topic_agency=topic_agency),
            backoff=backoff,
            liveness=liveness or Liveness("entity consumer"),
        )

    @property
    def stats(self) -> FollowerStats:
        return self.linking.stats

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> FollowerStats:
        super().run(stop, idle_exit_s)
        return self.stats

    def process(self, records: Sequence[InboundRecord], stop: threading.Event | None = None) -> LinkReport:
        """Link one polled batch and record the group's offsets in the same transaction."""
        return self.process_batch(records, stop).report


def sightings_of(events: Sequence[StoredEvent]) -> list[Sighting]:
    """The SubjectIdentified events of a batch as sightings."""
    return [
        sighting_of(e.payload["subject_id"], e.event_id, e.occurred_at, e.payload)
        for e in events
        if e.event_type == "SubjectIdentified"
    ]
