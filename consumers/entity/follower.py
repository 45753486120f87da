"""The entity consumer (group `casehub-entities`): agency topics → linked seller entities, exactly once in
effect, then the alert rules.

A separate group rather than a step of the materializer's transaction: a merge or a cap demotion can
rewrite hundreds of memberships, a relink after a stop-list change touches everything, and neither
should slow or fail the materialization of cases; the group can be rebuilt, re-run with a new cap or
stopped without touching the case store. Like the materializer it stores its next offsets in the same
transaction as its results (consumer_offsets, its own group) and seeks to them on assignment.
Records the decoder rejects are skipped here: the materializer dead-letters them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from consumers.backoff import Backoff
from consumers.decoding import RecordDecoder
from consumers.entity.keys import Sighting, sighting_of
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.entity.refusals import refused_sightings
from consumers.liveness import Liveness
from consumers.source import InboundRecord, RecordSource
from schemas.codec import CaseEventCodec
from services.store.records import DeadLetter, StoredEvent
from services.store.sql_store import SqlTransaction

logger = structlog.get_logger()


@dataclass
class FollowerStats:
    batches: int = 0
    records: int = 0
    sightings: int = 0
    merges: int = 0
    splits: int = 0


class EntityFollower:
    def __init__(
        self,
        *,
        source: RecordSource,
        engine: Engine,
        codec: CaseEventCodec,
        group: str,
        linker: EntityLinker,
        topic_agency: Callable[[str], str | None] = lambda _topic: None,
        sweep: Callable[[], object] | None = None,
        sweep_interval_s: float = 30.0,
        backoff: Backoff | None = None,
        liveness: Liveness | None = None,
    ) -> None:
        self.source = source
        self.engine = engine
        self.decoder = RecordDecoder(codec=codec, group=group, topic_agency=topic_agency)
        self.group = group
        self.linker = linker
        self.sweep = sweep
        self.sweep_interval_s = sweep_interval_s
        self.backoff = backoff or Backoff()
        self.stats = FollowerStats()
        self.liveness = liveness or Liveness("entity consumer")
        self._last_sweep = 0.0
        self._dirty = True

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> FollowerStats:
        """Consume until `stop` (or idle for idle_exit_s while assigned); sweep alerts every interval."""
        self.liveness.started()
        try:
            self._loop(stop, idle_exit_s)
        except BaseException as exc:
            self.liveness.stopped(exc)
            raise
        self.liveness.stopped(None)
        return self.stats

    def close(self) -> None:
        self.source.close()

    def _loop(self, stop: threading.Event, idle_exit_s: float | None) -> None:
        last_data = time.monotonic()
        while not stop.is_set():
            self.liveness.beat()
            records = self.source.poll(timeout_s=0.5)
            if records:
                self.process(records, stop)
            if records or not self.source.is_assigned():
                last_data = time.monotonic()
            elif idle_exit_s is not None and time.monotonic() - last_data > idle_exit_s:
                break
            self._maybe_sweep(force=False)
        self._maybe_sweep(force=True)

    def process(self, records: Sequence[InboundRecord], stop: threading.Event | None = None) -> LinkReport:
        """Link one polled batch and record the group's offsets in the same transaction."""
        batch = self.decoder.decode(records)
        sightings = sightings_of(batch.events)
        refused: list[DeadLetter] = []
        delays = self.backoff.delays()
        while True:
            try:
                with self.engine.begin() as connection:
                    report = self.linker.link(connection, sightings)
                    SqlTransaction(connection).add_dead_letters(refused)
                    SqlTransaction(connection).save_offsets(self.group, batch.next_offsets)
                break
            except (OperationalError, InterfaceError) as exc:
                if stop is None or stop.is_set():
                    raise
                delay = next(delays)
                self.liveness.retrying(str(exc).splitlines()[0])
                logger.warning(
                    "entity_store_unavailable", reason=str(exc).splitlines()[0], retry_in_s=round(delay, 2)
                )
                stop.wait(delay)
            except Exception as exc:  # whatever a sighting caused, isolate it (consumers/entity/refusals.py)
                sightings, letters = self._without_refused(records, batch.events, sightings, exc)
                refused.extend(letters)
        if (waited := self.liveness.recovered()) is not None:
            logger.info("outage_recovered", outage="entity store", waited_s=round(waited, 1))
        self.source.commit({(o.topic, o.partition): o.next_offset for o in batch.next_offsets})
        self._count(records, sightings, report)
        self._dirty = True
        return report

    def _without_refused(
        self,
        records: Sequence[InboundRecord],
        events: Sequence[StoredEvent],
        sightings: list[Sighting],
        cause: Exception,
    ) -> tuple[list[Sighting], list[DeadLetter]]:
        """The sightings the entity store accepts, and dead letters (of this group) for the others; a
        failure no single sighting causes is raised again."""
        refused = refused_sightings(self.engine, self.linker, sightings)
        if not refused:
            raise
        logger.warning(
            "sightings_refused_by_store", refused=len(refused), reason=next(iter(refused.values()))
        )
        letters = self.decoder.refused_letters(records, [e for e in events if e.event_id in refused], refused)
        return [s for s in sightings if s.event_id not in refused], letters

    def _maybe_sweep(self, *, force: bool) -> None:
        due = time.monotonic() - self._last_sweep >= self.sweep_interval_s
        if self.sweep is None or not (due or (force and self._dirty)):
            return
        self._last_sweep = time.monotonic()
        self._dirty = False
        try:
            self.sweep()
        except (OperationalError, InterfaceError) as exc:
            logger.warning("alert_sweep_failed", reason=str(exc).splitlines()[0])

    def _count(self, records: Sequence[InboundRecord], sightings: list[Sighting], report: LinkReport) -> None:
        self.stats.batches += 1
        self.stats.records += len(records)
        self.stats.sightings += len(sightings)
        self.stats.merges += report.merges
        self.stats.splits += report.splits
        logger.info(
            "entities_linked",
            records=len(records),
            sightings=len(sightings),
            merges=report.merges,
            splits=report.splits,
            moved=report.moved_subjects,
        )


def sightings_of(events: Sequence[StoredEvent]) -> list[Sighting]:
    """The SubjectIdentified events of a batch as sightings."""
    return [
        sighting_of(e.payload["subject_id"], e.event_id, e.occurred_at, e.payload)
        for e in events
        if e.event_type == "SubjectIdentified"
    ]
