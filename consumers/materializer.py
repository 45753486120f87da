"""The materializer: poll a batch, decode, write rows and offsets in one transaction, then commit to Kafka.

Storing the offsets with the rows gives an exactly-once effect: a batch is either wholly in the store
with its offsets or not at all, and on assignment the source seeks to the offsets the store holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import structlog

from consumers.backoff import Backoff
from consumers.decoding import DecodedBatch, RecordDecoder
from consumers.isolation import refusal_reason, refused_events
from consumers.liveness import Liveness
from consumers.observer import BatchObserver
from consumers.projections import apply_events
from consumers.source import DeadLetterSink, InboundRecord, RecordSource
from consumers.store_errors import StoreUnavailable
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError
from schemas.outages import BrokerUnavailable, RegistryUnavailable
from services.store.interface import CaseStore

logger = structlog.get_logger()
T = TypeVar("T")
_ISOLATION_ROUNDS = 3


@dataclass
class MaterializerStats:
    batches: int = 0
    records: int = 0
    events: int = 0
    dead_letters: int = 0


class Materializer:
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
    ) -> None:
        self.source = source
        self.store = store
        self.dead_letter_sink = dead_letter_sink
        self.decoder = RecordDecoder(codec=codec, group=group, topic_agency=topic_agency)
        self.group = group
        self.stats = MaterializerStats()
        self.observer = observer or BatchObserver()
        self.backoff = backoff or Backoff()
        self.liveness = liveness or Liveness("materializer")
        self._held: list[InboundRecord] = []

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> MaterializerStats:
        """Consume until `stop` is set (or, with idle_exit_s, until nothing arrived for that long).

        How the loop ends (returned or raised) is kept in `liveness`, so /readyz tells the truth.
        """
        self.liveness.started()
        try:
            self._loop(stop, idle_exit_s)
        except BaseException as exc:
            self.liveness.stopped(exc)
            raise
        self.liveness.stopped(None)
        return self.stats

    def close(self) -> None:
        """Leave the group (so lag tools see nobody consumes) and close the dead-letter producer."""
        self.source.close()
        self.dead_letter_sink.close()

    def _loop(self, stop: threading.Event, idle_exit_s: float | None) -> None:
        last_data = time.monotonic()
        while not stop.is_set():
            self.liveness.beat()
            records = self._held or self.source.poll(timeout_s=0.5)
            self._held = []
            if records or not self.source.is_assigned():
                if records:
                    self.process(records, stop)
                last_data = time.monotonic()  # idle time counts only while partitions are held
            elif idle_exit_s is not None and time.monotonic() - last_data > idle_exit_s:
                break

    def process(self, records: Sequence[InboundRecord], stop: threading.Event | None = None) -> DecodedBatch:
        """Materialize one polled batch; the broker commit follows the store commit.

        With a `stop` event, an unavailable registry, store or dead-letter topic is waited out (partitions
        paused, exponential back-off) and the same batch retried; without one, the error is raised.
        """
        started = time.perf_counter()
        batch = self._until_done(lambda: self.decoder.decode(records), RegistryUnavailable, stop)[0]
        # Dead letters reach their topic before the store commits: a crash in between re-reads the batch
        # and republishes them (at least once on the topic, exactly once in the dead_letters table).
        self._until_done(lambda: self.dead_letter_sink.publish(batch.dead_letters), BrokerUnavailable, stop)
        batch, store_seconds = self._until_done(
            lambda: self._write_isolating(records, batch, stop), StoreUnavailable, stop
        )
        self.source.commit({(o.topic, o.partition): o.next_offset for o in batch.next_offsets})
        self._count(records, batch)
        self.observer.batch_materialized(
            records=len(records),
            events=batch.events,
            dead_letters=batch.dead_letters,
            batch_seconds=time.perf_counter() - started,
            store_seconds=store_seconds,
        )
        return batch

    def _write_isolating(
        self, records: Sequence[InboundRecord], batch: DecodedBatch, stop: threading.Event | None
    ) -> DecodedBatch:
        """Write the batch; when the store refuses it, dead-letter the events it refuses and write the rest.

        Rounds are bounded: a store that refuses the batch while accepting every one of its events (the
        dead letters or offsets themselves) is reported as unavailable, so the batch is retried with
        back-off and the consumer shows as stalled instead of losing anything.
        """
        for _round in range(_ISOLATION_ROUNDS):
            try:
                self._write(batch)
                return batch
            except StoreUnavailable:
                raise
            except Exception as exc:
                refused = refused_events(self.store, batch.events)
                if not refused:
                    raise StoreUnavailable(
                        f"store refuses the batch, though none of its events: {refusal_reason(exc)}"
                    ) from exc
                letters = self.decoder.refused_letters(records, batch.events, refused)
                logger.warning(
                    "events_refused_by_store", refused=len(refused), reason=next(iter(refused.values()))
                )
                self._until_done(partial(self.dead_letter_sink.publish, letters), BrokerUnavailable, stop)
                batch = batch.without(set(refused), letters)
        raise StoreUnavailable(f"store kept refusing the batch after {_ISOLATION_ROUNDS} rounds of isolation")

    def _write(self, batch: DecodedBatch) -> None:
        """Rows, dead letters and next offsets of one batch in ONE store transaction."""
        with self.store.transaction() as tx:
            apply_events(tx, batch.events)
            tx.add_dead_letters(batch.dead_letters)
            tx.save_offsets(self.group, batch.next_offsets)

    def _until_done(
        self, action: Callable[[], T], retryable: type[CasehubError], stop: threading.Event | None
    ) -> tuple[T, float]:
        """Run `action` until it succeeds; returns its result and the seconds of the successful attempt."""
        delays = self.backoff.delays()
        paused = False
        try:
            while True:
                began = time.perf_counter()
                try:
                    result = action()
                except retryable as exc:
                    if stop is None or stop.is_set():
                        raise
                    self.liveness.retrying(str(exc))
                    self.observer.store_unavailable(exc)
                    delay = next(delays)
                    logger.warning("waiting_to_retry_batch", reason=str(exc), retry_in_s=round(delay, 2))
                    paused = True
                    self._wait_paused(delay, stop)
                else:
                    if (waited := self.liveness.recovered()) is not None:
                        logger.info("outage_recovered", outage=retryable.__name__, waited_s=round(waited, 1))
                    return result, time.perf_counter() - began
        finally:
            if paused:
                self.source.resume()

    def _wait_paused(self, seconds: float, stop: threading.Event) -> None:
        """Keep polling (group membership) with partitions paused; hold records of new assignments."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
            self.source.pause()
            self._held.extend(self.source.poll(timeout_s=min(remaining, 0.5)))

    def _count(self, records: Sequence[InboundRecord], batch: DecodedBatch) -> None:
        self.stats.batches += 1
        self.stats.records += len(records)
        self.stats.events += len(batch.events)
        self.stats.dead_letters += len(batch.dead_letters)
        logger.info(
            "batch_materialized",
            first_offsets={f"{r.topic}-{r.partition}": r.offset for r in reversed(records)},
            last_offsets={f"{r.topic}-{r.partition}": r.offset for r in records},
            records=len(records),
            events=len(batch.events),
            dead_letters=len(batch.dead_letters),
            partitions=len(batch.next_offsets),
        )
