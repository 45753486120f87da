"""The outbox relay: pending rows → Kafka, in order per case, marked sent only after the broker confirmed.

It survives outages: an unreachable broker or unconfirmed events make it back off and retry the same
rows (with a fresh producer), so events accumulate in the outbox during the outage and flow when the
broker returns; a busy or restarting agency database is waited out the same way. A row is never marked
sent without a confirmation, so none is lost; a row confirmed but not yet marked when the relay dies is
sent again, and the hub de-duplicates by event id.

Order: rows are read by sequence and each case's events go to one partition (key = case id) through
an idempotent producer, so the broker keeps them in order. Per case, only the confirmed prefix is
marked sent: after a failure, the case's later events wait and are re-sent after the failed one.
Run one relay per outbox table.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from producers.outbox import mark_failed, mark_rejected, mark_sent, pending_count, pending_rows
from producers.publisher import Publisher
from schemas.outages import BrokerUnavailable

logger = structlog.get_logger()


@dataclass
class RelayStats:
    sent: int = 0
    batches: int = 0
    retries: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class RelayBackoff:
    """Waits between retries: initial, ×factor, capped, with jitter so relays do not retry in step."""

    initial_s: float = 0.5
    maximum_s: float = 15.0
    factor: float = 2.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay * random.uniform(0.9, 1.1)
            delay = min(delay * self.factor, self.maximum_s)


class OutboxRelay:
    """Moves an outbox table to Kafka until stopped; `connect` builds a Publisher (and may fail)."""

    def __init__(
        self,
        engine: Engine,
        connect: Callable[[], Publisher],
        *,
        batch_size: int = 1000,
        poll_interval_s: float = 0.5,
        backoff: RelayBackoff | None = None,
    ) -> None:
        self.engine = engine
        self.connect = connect
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.backoff = backoff or RelayBackoff()
        self.stats = RelayStats()
        self._publisher: Publisher | None = None

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> RelayStats:
        """Relay until `stop` is set, or until the outbox stayed empty for `idle_exit_s` seconds."""
        delays = self.backoff.delays()
        idle_since = time.monotonic()
        try:
            while not stop.is_set():
                try:
                    moved = self.relay_once()
                except BrokerUnavailable as exc:
                    self._retry_later(stop, next(delays), str(exc))
                    continue
                except (OperationalError, InterfaceError) as exc:  # agency database busy or restarting
                    self._retry_later(stop, next(delays), f"outbox database: {exc.orig or exc}")
                    continue
                delays = self.backoff.delays()
                if moved:
                    idle_since = time.monotonic()
                    continue
                if idle_exit_s is not None and time.monotonic() - idle_since >= idle_exit_s:
                    break
                stop.wait(self.poll_interval_s)
        finally:
            self.close()
        return self.stats

    def relay_once(self) -> int:
        """Send one batch of pending rows; how many left the pending set (sent, or set aside as unreadable).
        BrokerUnavailable when none got through."""
        with self.engine.connect() as connection:
            rows, unreadable = pending_rows(connection, self.batch_size)
        if unreadable:
            with self.engine.begin() as connection:
                mark_rejected(connection, unreadable)
            for sequence, reason in unreadable.items():
                logger.error("outbox_row_rejected", sequence=sequence, reason=reason)
            self.stats.rejected += len(unreadable)
        if not rows:
            return len(unreadable)  # progress: the loop reads on at once
        publisher = self._publisher or self._connect()
        report = publisher.publish(row.event for row in rows)
        failed = {
            event_id: reason for event_id, reason in report.failed if event_id not in report.rejected_ids
        }
        reasons = dict(report.failed)
        blocked: set[str] = set()
        sent: list[int] = []
        waiting: list[int] = []
        rejected: dict[int, str] = {}
        for row in rows:
            event_id = str(row.event.event_id)
            if event_id in report.rejected_ids:
                rejected[row.sequence] = reasons[event_id]
            elif event_id in failed or row.event.case_id in blocked:
                blocked.add(row.event.case_id)
                waiting.append(row.sequence)
            else:
                sent.append(row.sequence)
        with self.engine.begin() as connection:
            mark_sent(connection, sent)
            mark_failed(connection, waiting, next(iter(failed.values()), "waiting for an earlier event"))
            mark_rejected(connection, rejected)
        for sequence, reason in rejected.items():
            logger.error("outbox_row_rejected", sequence=sequence, reason=reason)
        self.stats.sent += len(sent)
        self.stats.batches += 1
        self.stats.rejected += report.rejected
        logger.info("outbox_relayed", sent=len(sent), waiting=len(waiting))
        if failed:
            self.close()  # a fresh producer after delivery failures (its idempotence state may be stale)
            raise BrokerUnavailable(f"{len(failed)} events not confirmed: {next(iter(failed.values()))}")
        return len(sent)

    def pending(self) -> int:
        with self.engine.connect() as connection:
            return pending_count(connection)

    def _connect(self) -> Publisher:
        """A connected publisher (BrokerUnavailable, retried later, when the broker does not answer)."""
        publisher = self.connect()
        publisher.start()
        self._publisher = publisher
        return publisher

    def _retry_later(self, stop: threading.Event, delay: float, reason: str) -> None:
        self.stats.retries += 1
        logger.warning("outbox_relay_waiting", reason=reason, retry_in_s=round(delay, 2))
        stop.wait(delay)

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
