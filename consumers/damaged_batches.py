"""A fetched record batch that fails its CRC (or whose records do not parse) every time it is fetched: the
broker's log itself is damaged. Retried a few times (a fault on the way is transient), then set aside as
one dead letter saying what it is, so the partition moves on past it and nothing behind it waits forever.

The fetch fast path (consumers/kafka_fetch_fast_path.py) raises `DamagedBatchError`, a kafka-python
`CorruptRecordError` that carries the partition, the fetch position and the offsets the batch's header
claims; the record sources (consumers/kafka_io.py, consumers/log_replay.py) count the fetches it failed
(`DamagedBatchRetries`) and then hand the loop a `DamagedBatch` record. The decoder turns that record into
a dead letter whose next offset is past the batch, so the dead letter and the offsets that skip the batch
are stored in ONE transaction (consumers/tracking.py): a crash before it re-reads the batch and sets it
aside again, never skips it without a trace.

When the header cannot be trusted (its offsets contradict the fetch position, its own record count or
the batch that follows it in the same fetch), no range is known, and skipping could pass over good
batches for good (the broker's own index reads the same header). Such a batch is NOT skipped: the
partition stays where it is, and every fetch of it logs `damaged_batch_stalled` at error level with
what is known (the partition then shows as STALL or STOP in `casehub lag` and fails /readyz). Ops
repair the broker's copy (docs/operations.md); the Kafka group's offset is not where the hub resumes,
its store's is.

On kafka-python's own path (the fast path declined: its internals changed) the library raises its plain
`CorruptRecordError`, which carries no offsets (its message names the partition and offset in the
library's words): no range is known, so the partition stalls the same way, loudly (`judged_plain`), while
the library hands on the other partitions' records.

A rebuild cannot finish a partition it cannot get past: where the live consumer stalls, the replay
stops with `DamagedLog`, one line saying where and what to repair, instead of fetching forever.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import structlog
from kafka.errors import CorruptRecordError

from consumers.source import InboundRecord
from schemas.errors import CasehubError

logger = structlog.get_logger()

FETCHES_BEFORE_DEAD_LETTER = 3
"""How many fetches of the same batch must fail before it is set aside: one failure can be a fault on the
way (a bit flipped in transit), three in a row at the same position is the log."""

_POSITIONS_KEPT = 1024
"""Positions whose failed fetches are counted at once (a fault that passed leaves its count behind)."""


class DamagedBatchError(CorruptRecordError):
    """A v2 batch of `topic`-`partition` refused by its CRC or its record structure, with what its header
    claims. `str()` is the library's own message, so both parses still fail with the same words."""

    def __init__(
        self,
        message: str,
        *,
        topic: str,
        partition: int,
        position: int,
        first_offset: int,
        last_offset: int,
        next_batch_offset: int | None,
        records_count: int,
        raw: bytes,
    ) -> None:
        super().__init__(message)
        self.reason = message
        self.topic = topic
        self.partition = partition
        self.position = position
        """The fetch position when the batch failed: the first offset of it not yet handed out."""
        self.first_offset = first_offset
        self.last_offset = last_offset
        self.next_batch_offset = next_batch_offset
        """The base offset of the batch after it in the same fetch, None when the fetch ended with it."""
        self.records_count = records_count
        """The header's record count: a second account of the range, in other bytes than lastOffsetDelta."""
        self.raw = raw

    def __str__(self) -> str:
        """The library's own words (`[Error 2] CorruptRecordError: ...`), not this subclass's name."""
        return f"[Error {self.errno}] CorruptRecordError: {self.reason}"

    @property
    def range_known(self) -> bool:
        """Whether the header's range can be believed. The CRC that failed covers `lastOffsetDelta` and
        the record count, so either may be the damaged bytes: the range must agree with the count (one
        record per offset, as producers write batches; a compacted batch with gaps is not believed), hold
        the fetch position's next record, and not reach into the batch the broker sent after it."""
        if not 0 <= self.first_offset <= self.last_offset or self.position > self.last_offset:
            return False
        if self.last_offset - self.first_offset != self.records_count - 1:
            return False
        return self.next_batch_offset is None or self.next_batch_offset > self.last_offset

    def described(self) -> str:
        """One line for the dead letter and the log: the range as the header claims it, and why."""
        where = f"{self.topic}-{self.partition}"
        return (
            f"record batch of {where} at offsets {self.first_offset}-{self.last_offset} (as its header "
            f"claims) is damaged in the broker's log: {self.reason}; the partition goes on at "
            f"{self.last_offset + 1}"
        )


class DamagedRecordBatch(CasehubError):
    """The dead letter's error: a record batch the broker keeps damaged (its raw bytes are kept)."""


class DamagedLog(CasehubError):
    """A replay met a damaged batch it cannot set aside (its range unknown): the rebuild stops here."""


def damaged_log(reason: str) -> DamagedLog:
    return DamagedLog(
        f"the log is damaged where the replay must read it: {reason}; the batch's offsets cannot be "
        "trusted, so it cannot be set aside. Repair the broker's copy (docs/operations.md, dead letters) "
        "and run the rebuild again"
    )


@dataclass(frozen=True)
class DamagedBatch(InboundRecord):
    """A damaged batch handed to the loop as one record: `offset` is the fetch position (the first offset
    not read), `value` the batch's raw bytes, `next_offset` where the partition goes on."""

    next_offset: int = 0
    reason: str = ""


def damaged_batch(error: DamagedBatchError) -> DamagedBatch:
    return DamagedBatch(
        topic=error.topic,
        partition=error.partition,
        offset=error.position,
        key=None,
        value=error.raw,
        next_offset=error.last_offset + 1,
        reason=error.described(),
    )


class DamagedBatchRetries:
    """Counts the failed fetches of each damaged batch; says when one is to be set aside."""

    def __init__(self, fetches: int = FETCHES_BEFORE_DEAD_LETTER) -> None:
        self.fetches = fetches
        self.failed: Counter[tuple[str, int, int]] = Counter()
        self.stalled = 0
        """Fetches refused while no range was known (the partition stays; see the module)."""

    def judged(self, error: DamagedBatchError) -> DamagedBatch | None:
        """The batch as a record to dead-letter, or None: fetch it again (or stay, range unknown)."""
        key = (error.topic, error.partition, error.position)
        attempt = self._failed_again(key)
        context = {
            "topic": error.topic,
            "partition": error.partition,
            "position": error.position,
            "first_offset": error.first_offset,
            "last_offset": error.last_offset,
            "next_batch_offset": error.next_batch_offset,
            "reason": error.reason,
        }
        if attempt < self.fetches:
            logger.warning("damaged_batch_fetched_again", attempt=attempt, **context)
            return None
        if not error.range_known:
            self.stalled += 1
            logger.error(
                "damaged_batch_stalled",
                attempt=attempt,
                why="the batch header's offsets cannot be trusted; skipping could lose good batches",
                **context,
            )
            return None
        del self.failed[key]
        logger.error("damaged_batch_set_aside", attempt=attempt, bytes=len(error.raw), **context)
        return damaged_batch(error)

    def _failed_again(self, key: tuple[str, int, int]) -> int:
        """One more failed fetch at `key`; how many in all (the counts kept are bounded)."""
        if key not in self.failed and len(self.failed) >= _POSITIONS_KEPT:
            del self.failed[next(iter(self.failed))]  # a transient fault long past: forget it
        self.failed[key] += 1
        return self.failed[key]

    def judged_plain(self, error: CorruptRecordError) -> bool:
        """kafka-python's own error (the fast path declined): True once it is a stall — the same words
        from `fetches` fetches in a row; before, a fetch to try again. Never a record to set aside: the
        error carries no offsets."""
        reason = str(error)
        attempt = self._failed_again(("", -1, hash(reason)))  # its words name the partition and offset
        if attempt < self.fetches:
            logger.warning(
                "damaged_batch_fetched_again", attempt=attempt, reason=reason, path="kafka_records"
            )
            return False
        self.stalled += 1
        logger.error(
            "damaged_batch_stalled",
            attempt=attempt,
            reason=reason,
            path="kafka_records",
            why="kafka-python's own parse (the fetch fast path declined) gives no offsets to set it aside by",
        )
        return True
