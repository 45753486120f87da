"""kafka-python adapters for the materializer's reads: a pattern subscription that seeks to the store's
offsets (the dead-letter writer is consumers/kafka_dead_letters.py). Nothing connects until first use."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

import structlog
from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka.errors import CorruptRecordError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from consumers.backoff import Backoff
from consumers.damaged_batches import DamagedBatchError, DamagedBatchRetries
from consumers.kafka_fetch_fast_path import forget_damaged, forget_spent
from consumers.kafka_fetch_fast_path import install as install_fetch_fast_path
from consumers.lazy_consumer import LazyKafkaSource
from consumers.source import InboundRecord, inbound_records
from consumers.store_errors import StoreUnavailable
from schemas.fast_path_declines import FastPathDeclines

logger = structlog.get_logger()


class SeekToStoredOffsets(ConsumerRebalanceListener):
    """On assignment, continue from where the store says this group got (or from the start).

    When the store cannot be read during a rebalance, the new partitions stay paused and unpositioned
    (`pending`) until `seek_pending()` succeeds, so nothing is fetched from a guessed position.
    """

    def __init__(
        self,
        consumer: KafkaConsumer,
        stored_offsets: Callable[[], dict[tuple[str, int], int]],
        positioned: Callable[[Mapping[TopicPartition, int]], None] = lambda _offsets: None,
        revoked: Callable[[set[TopicPartition]], None] = lambda _partitions: None,
    ) -> None:
        self.consumer = consumer
        self.stored_offsets = stored_offsets
        self.positioned = positioned
        self.revoked = revoked
        self.pending: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.pending -= set(revoked)
        self.revoked(set(revoked))
        logger.info("partitions_revoked", partitions=sorted(f"{tp.topic}-{tp.partition}" for tp in revoked))

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.pending |= set(assigned)
        self.consumer.pause(*assigned)
        self.seek_pending()
        logger.info("partitions_assigned", partitions=sorted(f"{tp.topic}-{tp.partition}" for tp in assigned))

    def seek_pending(self) -> bool:
        """Position every pending partition at the store's offset; False while the store is unavailable."""
        if not self.pending:
            return True
        try:
            offsets = self.stored_offsets()
        except StoreUnavailable as exc:
            logger.warning(
                "offsets_unavailable_partitions_paused", reason=str(exc), partitions=len(self.pending)
            )
            return False
        owned = self.pending & self.consumer.assignment()
        positions: dict[TopicPartition, int] = {}
        for tp in owned:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, stored)
                positions[tp] = stored
        self.consumer.resume(*owned)
        self.pending.clear()
        # The store's offsets go to Kafka too: a commit lost before a restart (broker killed) would
        # otherwise leave an idle partition's committed offset behind its stored data for good.
        self.positioned(positions)
        return True


class KafkaRecordSource(LazyKafkaSource):
    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topic_pattern: str,
        stored_offsets: Callable[[], dict[tuple[str, int], int]],
        max_poll_records: int = 8000,
        session_timeout_ms: int = 10_000,
        connect_timeout_s: float = 10.0,
        security: Mapping[str, object] | None = None,
    ) -> None:
        self._topic_pattern = topic_pattern
        self._stored_offsets = stored_offsets
        config: dict[str, object] = {
            "bootstrap_servers": bootstrap,
            "group_id": group,
            "client_id": group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": max_poll_records,
            "max_poll_interval_ms": 60_000,
            "session_timeout_ms": session_timeout_ms,
            "heartbeat_interval_ms": min(1_000, session_timeout_ms // 3),  # a rebalance seen within 1 s
            "metadata_max_age_ms": 5_000,
            "fetch_max_bytes": 16 * 1024 * 1024,
            "bootstrap_timeout_ms": int(connect_timeout_s * 1000),
            **dict(security or {}),
        }
        super().__init__(bootstrap=bootstrap, config=config)
        self._listener: SeekToStoredOffsets | None = None
        self.commit_timeout_ms = int(connect_timeout_s * 1000)
        self.commit_backoff = Backoff(initial_s=0.5, maximum_s=max(connect_timeout_s, 1.0))
        self._uncommitted: dict[TopicPartition, int] = {}
        self._commit_retries: Iterator[float] | None = None
        self._retry_commit_at = 0.0
        self._commits_sent = 0
        self._in_flight: tuple[int, float] | None = None
        """The commit awaiting the coordinator's answer: (its number, when it was sent)."""
        self.fetch_fast_path = FastPathDeclines("kafka_fetch_fast_path")
        self.damaged_batches = DamagedBatchRetries()

    def _connected(self, consumer: KafkaConsumer) -> None:
        """Subscribe to the topic pattern, seeking each assigned partition to the store's offset; fetched
        batches are read by consumers.kafka_fetch_fast_path unless this kafka-python refuses it."""
        if (refusal := install_fetch_fast_path(consumer)) is not None:
            self.fetch_fast_path.declined("kafka_internals_changed", detail=refusal, taken="kafka_records")
        self._listener = SeekToStoredOffsets(
            consumer, self._stored_offsets, positioned=self._queue_positions, revoked=self._forget_commits
        )
        consumer.subscribe(pattern=self._topic_pattern, listener=self._listener)

    @property
    def listener(self) -> SeekToStoredOffsets:
        self.start()
        assert self._listener is not None
        return self._listener

    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        self.listener.seek_pending()
        try:
            polled = self.consumer.poll(
                timeout_ms=int(timeout_s * 1000), max_records=self.poll_limit(max_records)
            )
        except DamagedBatchError as exc:
            return self._damaged(exc, timeout_s)
        except CorruptRecordError as exc:  # the library's own parse: no range known, the partition stalls
            forget_spent(self.consumer)
            self.damaged_batches.judged_plain(exc)
            time.sleep(min(timeout_s, 0.2))  # the library hands on the other partitions meanwhile
            return []
        except KafkaError as exc:
            # A broker outage surfaces here (e.g. the coordinator lookup): wait, and let the next poll
            # reconnect; the store still holds every committed position.
            logger.warning("broker_unavailable_polling", error=type(exc).__name__, reason=str(exc))
            time.sleep(timeout_s)
            return []
        if self._uncommitted and time.monotonic() >= self._retry_commit_at:
            self._flush_commits()  # after the poll: positions queued by its rebalance go out at once
        return inbound_records(polled.values())

    def _damaged(self, error: DamagedBatchError, timeout_s: float) -> list[InboundRecord]:
        """A batch the broker's log holds damaged: fetched again a few times, then handed on as one record
        (a dead letter with the offsets past it, stored together) with the partition sought past it; the
        other partitions' fetches go on meanwhile (consumers/damaged_batches.py)."""
        forget_damaged(self.consumer, error)
        tp = TopicPartition(error.topic, error.partition)
        if (damaged := self.damaged_batches.judged(error)) is None:
            time.sleep(min(timeout_s, 0.2))  # the next poll fetches it again (other partitions too)
            return []
        if tp in self.consumer.assignment():
            self.consumer.seek(tp, damaged.next_offset)
        return [damaged]

    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        self._queue_commits({TopicPartition(t, p): o for (t, p), o in next_offsets.items()})

    @property
    def uncommitted(self) -> dict[tuple[str, int], int]:
        """Offsets the store holds that Kafka has not confirmed yet (retried on the next polls)."""
        return {(tp.topic, tp.partition): offset for tp, offset in self._uncommitted.items()}

    def _queue_commits(self, offsets: Mapping[TopicPartition, int]) -> None:
        if offsets:
            self._uncommitted.update(offsets)
            self._flush_commits()

    def _queue_positions(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Queue only: this runs inside kafka-python's rebalance callback, where a commit may not block
        (it failed there as "User rebalance callback throws an error"); poll() sends it right after."""
        self._uncommitted.update(offsets)
        self._retry_commit_at = 0.0

    def _forget_commits(self, revoked: set[TopicPartition]) -> None:
        """A revoked partition's next owner commits it from the store; ours would be a stale write."""
        for tp in revoked:
            self._uncommitted.pop(tp, None)

    def _flush_commits(self) -> None:
        """Send every queued offset to Kafka without waiting; a failure keeps them for a retry from poll()
        with back-off.

        The store already holds these offsets (and seeks to them on assignment); Kafka's copy feeds
        the lag tools and /readyz, so a commit lost to a broker outage must not stay lost — an idle
        partition gets no later commit that would carry it. Nothing in a batch's path reads that copy,
        so the batch does not wait for it: a synchronous commit's round trip (~10 ms here) was most of a
        batch's fixed cost. One commit is in flight at a time (its answer arrives during poll(), or it
        is given up after the commit timeout); close() commits what is left, waiting.
        """
        now = time.monotonic()
        if self._in_flight is not None and now < self._in_flight[1] + self.commit_timeout_ms / 1000:
            return
        owned = self.consumer.assignment()
        batch = {tp: offset for tp, offset in self._uncommitted.items() if tp in owned}
        if not batch:
            if owned:  # none is ours any more; while a rebalance leaves nothing owned, keep them all
                self._uncommitted.clear()
            return
        self._commits_sent += 1
        number = self._commits_sent
        self._in_flight = (number, now)
        try:
            self.consumer.commit_async(
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in batch.items()},
                callback=lambda _offsets, answer: self._commit_answered(number, batch, answer),
            )
        except KafkaError as exc:
            self._commit_answered(number, batch, exc)

    def _commit_answered(self, number: int, batch: Mapping[TopicPartition, int], answer: object) -> None:
        """The coordinator's answer to commit `number` (or the error that stopped it being sent)."""
        if self._in_flight is not None and self._in_flight[0] == number:
            self._in_flight = None
        if isinstance(answer, Exception):
            self._commit_failed(answer, len(batch))
            return
        for tp, offset in batch.items():
            if self._uncommitted.get(tp) == offset:
                del self._uncommitted[tp]
        if self._commit_retries is not None:
            logger.info("kafka_commit_recovered", partitions=len(batch))
            self._commit_retries = None

    def _commit_failed(self, exc: Exception, partitions: int) -> None:
        if self._commit_retries is None:
            self._commit_retries = self.commit_backoff.delays()
        delay = next(self._commit_retries)
        self._retry_commit_at = time.monotonic() + delay
        logger.warning(
            "kafka_commit_failed",
            error=type(exc).__name__,
            reason=str(exc),
            partitions=partitions,
            retry_in_s=round(delay, 2),
        )

    def close(self) -> None:
        """Leave the group after committing what is still queued, waiting up to the commit timeout (the
        lag tools then see where the store got); skipped while Kafka is failing its commits."""
        consumer = self._consumer
        if consumer is not None and self._uncommitted and self._commit_retries is None:
            owned = consumer.assignment()
            last = {tp: OffsetAndMetadata(o, "", -1) for tp, o in self._uncommitted.items() if tp in owned}
            try:
                if last:
                    consumer.commit(last, timeout_ms=self.commit_timeout_ms)
            except KafkaError as exc:
                logger.warning("kafka_commit_failed_on_close", error=type(exc).__name__, reason=str(exc))
        super().close()

    def owned(self) -> set[tuple[str, int]]:
        """The partitions owned now, without connecting (another thread may ask: the monitor's probes)."""
        consumer = self._consumer
        return set() if consumer is None else {(tp.topic, tp.partition) for tp in consumer.assignment()}

    def rebalance_pending(self) -> bool:
        """kafka-python's coordinator learns it from a heartbeat's answer (its background thread);
        False when this kafka-python has no such call (the held parts are then written, as before)."""
        if self._consumer is None:
            return False
        need_rejoin = getattr(getattr(self._consumer, "_coordinator", None), "need_rejoin", None)
        return bool(need_rejoin()) if callable(need_rejoin) else False

    def is_assigned(self) -> bool:
        return bool(self.consumer.assignment())

    def pause(self) -> None:
        self.consumer.pause(*self.consumer.assignment())

    def resume(self) -> None:
        self.consumer.resume(*(self.consumer.paused() - self.listener.pending))
