"""The one tracking-consumer loop: poll → decode → handler(batch, unit of work) → offsets stored in the
same transaction → commit to Kafka. The materializer and the entity linker are this loop with a handler.

Storing a group's next offsets in the transaction that holds its results gives an exactly-once effect: a
batch is either wholly in the store with its offsets or not at all, and on assignment the source seeks to
the offsets the store holds (consumers/kafka_io.py). The broker commit that follows is for lag tools only.

One policy for everything that can go wrong, whichever handler runs:
- an outage (`RegistryUnavailable`, `BrokerUnavailable`, `StoreUnavailable` — the store classifies its
  database errors in services/store/failures.py) is waited out with partitions paused and exponential
  back-off, and the same batch retried; the liveness marks say so for /readyz;
- anything else the store or the handler refuses is isolated (consumers/isolation.py, the savepoint
  halving probe): the refused items become dead letters with the store's reason, the rest is written;
- how the loop ends (returned or raised) is kept in `liveness`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from typing import Generic, Protocol, TypeVar

import structlog

from consumers.backoff import Backoff
from consumers.batch_budget import BatchBudget, waited_seconds
from consumers.decoding import DecodedBatch, RecordDecoder
from consumers.heap import collection_after_batch
from consumers.isolation import Identified, refusal_reason, refused_items
from consumers.liveness import Liveness
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, TopicPartitionOffset
from consumers.source import DeadLetterSink, InboundRecord, RecordSource
from consumers.store_errors import StoreUnavailable
from schemas.errors import CasehubError
from schemas.outages import BrokerUnavailable, RegistryUnavailable

logger = structlog.get_logger()
R = TypeVar("R")
_ISOLATION_ROUNDS = 3


class UnitOfWork(Protocol):
    """What the loop itself writes in a handler's transaction: dead letters and the group's offsets."""

    def savepoint(self) -> AbstractContextManager[None]: ...

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None: ...

    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None: ...


Tx = TypeVar("Tx", bound=UnitOfWork)
Tx_co = TypeVar("Tx_co", bound=UnitOfWork, covariant=True)
Tx_contra = TypeVar("Tx_contra", bound=UnitOfWork, contravariant=True)
Item = TypeVar("Item", bound=Identified)
Report = TypeVar("Report")


class TrackingStore(Protocol[Tx_co]):
    """A store a tracking consumer writes to: one unit of work per batch, its offsets readable back."""

    def transaction(self) -> AbstractContextManager[Tx_co]: ...

    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]: ...


@dataclass
class BatchOutcome(Generic[Item, Report]):
    """What one processed batch came to: the items written, the dead letters kept, the handler's report."""

    items: list[Item]
    dead_letters: list[DeadLetter]
    next_offsets: list[TopicPartitionOffset]
    report: Report
    store_seconds: float = 0.0


class BatchHandler(Protocol[Tx_contra, Item, Report]):
    """What one consumer group does with a decoded batch, inside the loop's unit of work."""

    keeps_decode_failures: bool
    """True: records the decoder rejects are this group's dead letters (the materializer). False: they
    are skipped, another group keeps them (the entity linker reads the same topics)."""

    def items_of(self, batch: DecodedBatch) -> list[Item]:
        """The part of the batch this handler writes (each item names the event it came from)."""
        ...

    def apply(self, tx: Tx_contra, items: Sequence[Item]) -> Report:
        """Write the items in `tx` (the loop commits); raising refuses them (isolated, then retried)."""
        ...

    def done(self, records: Sequence[InboundRecord], outcome: BatchOutcome[Item, Report]) -> None:
        """The batch is in the store and committed: count it, log it."""
        ...


class TrackingConsumer(Generic[Tx, Item, Report]):
    """Poll, decode, let the handler write the batch with the offsets in one transaction, commit."""

    def __init__(
        self,
        *,
        source: RecordSource,
        store: TrackingStore[Tx],
        handler: BatchHandler[Tx, Item, Report],
        decoder: RecordDecoder,
        dead_letter_sink: DeadLetterSink | None = None,
        observer: BatchObserver | None = None,
        backoff: Backoff | None = None,
        liveness: Liveness | None = None,
        budget: BatchBudget | None = None,
    ) -> None:
        """`budget`: write a polled batch in parts that each take about its seconds (consumers/
        batch_budget.py says why); None writes each poll whole (the rebuild: only throughput counts)."""
        self.source = source
        self.store = store
        self.handler = handler
        self.decoder = decoder
        self.dead_letter_sink = dead_letter_sink
        self.observer = observer or BatchObserver()
        self.backoff = backoff or Backoff()
        self.liveness = liveness or Liveness(decoder.group)
        self.budget = budget
        self._held: list[InboundRecord] = []

    @property
    def group(self) -> str:
        return self.decoder.group

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> object:
        """Consume until `stop` is set (or, with idle_exit_s, until nothing arrived for that long while
        partitions were held). How the loop ends (returned or raised) is kept in `liveness`."""
        self.liveness.started()
        try:
            self._loop(stop, idle_exit_s)
        except BaseException as exc:
            self.liveness.stopped(exc)
            raise
        self.liveness.stopped(None)
        return None

    def close(self) -> None:
        """Leave the group (so lag tools see nobody consumes) and close the dead-letter producer."""
        self.source.close()
        if self.dead_letter_sink is not None:
            self.dead_letter_sink.close()

    def _loop(self, stop: threading.Event, idle_exit_s: float | None) -> None:
        last_data = time.monotonic()
        while not stop.is_set():
            self.liveness.beat()
            limit = self.budget.poll_records if self.budget is not None else None
            if self._held and self.source.rebalance_pending():
                # The group waits for this member: leave the rest unwritten (nothing of it is stored or
                # committed) and rejoin; whoever gets its partitions reads it from the store's offsets.
                logger.info("held_records_left_for_rebalance", group=self.group, records=len(self._held))
                self._held = []
            records = self._held or self.source.poll(timeout_s=0.5, max_records=limit)
            self._held = []
            if self.budget is not None and records:
                # The rest is written next, before any poll (so no rebalance comes between the parts),
                # unless the group starts rebalancing meanwhile (above).
                waited = waited_seconds(records[0].timestamp_ms, time.time() * 1000)
                records, self._held = self.budget.cut(records, waited)
            if records or not self.source.is_assigned():
                if records:
                    with collection_after_batch():  # consumers/heap.py
                        self.process_batch(records, stop)
                last_data = time.monotonic()  # idle time counts only while partitions are held
            elif idle_exit_s is not None and time.monotonic() - last_data > idle_exit_s:
                break

    def process_batch(
        self, records: Sequence[InboundRecord], stop: threading.Event | None = None
    ) -> BatchOutcome[Item, Report]:
        """One polled batch into the store, then the broker commit.

        With a `stop` event, an unavailable registry, store or dead-letter topic is waited out (partitions
        paused, exponential back-off) and the same batch retried; without one, the error is raised.
        """
        started = time.perf_counter()
        batch, decode_seconds = self._until_done(
            lambda: self.decoder.decode(records), RegistryUnavailable, stop
        )
        letters = list(batch.dead_letters) if self.handler.keeps_decode_failures else []
        # Dead letters reach their topic before the store commits: a crash in between re-reads the batch
        # and republishes them (at least once on the topic, exactly once in the dead_letters table).
        self._publish(letters, stop)
        items = self.handler.items_of(batch)
        outcome, store_seconds = self._until_done(
            lambda: self._write_isolating(records, batch, items, letters, stop), StoreUnavailable, stop
        )
        outcome.store_seconds = store_seconds
        if self.budget is not None:
            self.budget.observe(len(records), decode_seconds + store_seconds)
        self.source.commit({(o.topic, o.partition): o.next_offset for o in batch.next_offsets})
        self.decoder.batch_done()
        self.handler.done(records, outcome)
        kept = {item.event_id for item in outcome.items}
        self.observer.batch_materialized(
            records=len(records),
            events=[e for e in batch.events if e.event_id in kept],
            dead_letters=outcome.dead_letters,
            batch_seconds=time.perf_counter() - started,
            store_seconds=store_seconds,
        )
        return outcome

    def _write_isolating(
        self,
        records: Sequence[InboundRecord],
        batch: DecodedBatch,
        items: list[Item],
        letters: list[DeadLetter],
        stop: threading.Event | None,
    ) -> BatchOutcome[Item, Report]:
        """Write the batch; when the store refuses it, dead-letter the items it refuses and write the rest.

        Rounds are bounded: a store that refuses the batch while accepting every one of its items (the
        dead letters or offsets themselves) is reported as unavailable, so the batch is retried with
        back-off and the consumer shows as stalled instead of losing anything.
        """
        for _round in range(_ISOLATION_ROUNDS):
            try:
                report = self._write(items, letters, batch.next_offsets)
                return BatchOutcome(items, letters, batch.next_offsets, report)
            except StoreUnavailable:
                raise
            except Exception as exc:
                refused = refused_items(self.store, self.handler.apply, items)
                if not refused:
                    raise StoreUnavailable(
                        f"store refuses the batch, though none of its items: {refusal_reason(exc)}"
                    ) from exc
                events = [e for e in batch.events if e.event_id in refused]
                refused_letters = self.decoder.refused_letters(records, events, refused)
                logger.warning(
                    "events_refused_by_store",
                    group=self.group,
                    refused=len(refused),
                    reason=next(iter(refused.values())),
                )
                self._publish(refused_letters, stop)
                items = [item for item in items if item.event_id not in refused]
                letters = [*letters, *refused_letters]
        raise StoreUnavailable(f"store kept refusing the batch after {_ISOLATION_ROUNDS} rounds of isolation")

    def _write(
        self, items: Sequence[Item], letters: Sequence[DeadLetter], offsets: Sequence[TopicPartitionOffset]
    ) -> Report:
        """The handler's writes, the dead letters and the next offsets of one batch in ONE transaction."""
        with self.store.transaction() as tx:
            report = self.handler.apply(tx, items)
            tx.add_dead_letters(letters)
            tx.save_offsets(self.group, offsets)
        return report

    def _publish(self, letters: list[DeadLetter], stop: threading.Event | None) -> None:
        """Dead letters to the dead-letter topic, when this consumer has one (the table keeps them anyway)."""
        if letters and self.dead_letter_sink is not None:
            self._until_done(partial(self.dead_letter_sink.publish, letters), BrokerUnavailable, stop)

    def _until_done(
        self, action: Callable[[], R], retryable: type[CasehubError], stop: threading.Event | None
    ) -> tuple[R, float]:
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
                    logger.warning(
                        "waiting_to_retry_batch",
                        group=self.group,
                        reason=str(exc),
                        retry_in_s=round(delay, 2),
                    )
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
