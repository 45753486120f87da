"""Decode the next part of a poll in a worker thread while the main thread writes this part.

One member otherwise works serially: decode (pure Python) → write (fold and COPY formatting in Python,
then PostgreSQL works while we wait on the socket) → commit. During that wait the process holds no GIL and
a core sits idle; decoding the next part then (the one the loop writes next, before any poll) fills it.

Why this is exact: the worker only ever decodes records of the poll being written, and the loop polls only
after the last part is written, so no rebalance falls between a part's decode and its write (the same
guarantee the batch budget relies on). Decoding is a pure function of the records (RecordDecoder.decode
reads no store state and keeps no state across batches; its caches of pure checks and the payload side
table of consumers/event_types/registry.py are dict operations, atomic under the GIL, and a payload
missing from that table only costs the fold a validation). Every Kafka call and every store write stays on
the main thread: kafka-python's consumer is not thread-safe, and a transaction belongs to its thread.

A single-worker ThreadPoolExecutor rather than a hand-made thread: futures carry the decode's result or
its exception (a RegistryUnavailable is retried on the main thread by the loop's one outage policy), and
`shutdown(cancel_futures=True)` joins the worker when the loop ends, however it ends.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from consumers.decoding import DecodedBatch
from consumers.source import InboundRecord

GROWTH = 2
"""Each part of a poll is this many times the one before: writing a record costs about twice decoding one
(fold, COPY formatting, then PostgreSQL's work), so the write of a part takes about as long as the decode of
the next, twice as big. The first part is small because its decode has nothing to overlap with."""
OVERLAP_PARTS = 3
"""At most this many parts per poll for overlap alone: each is one more transaction, whose fixed costs
(offsets, commit, the statements each write sends) were measured at several ms (docs/architecture.md)."""
OVERLAP_FLOOR = 250
"""Never parts smaller than this for overlap alone: a transaction's fixed costs would outweigh the gain."""
SWITCH_INTERVAL_S = 0.0005
"""How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms)."""

Decode = Callable[[Sequence[InboundRecord]], DecodedBatch]


def overlap_parts(records: Sequence[InboundRecord]) -> list[list[InboundRecord]]:
    """The records in poll order, in at most OVERLAP_PARTS parts each GROWTH times the one before,
    none smaller than OVERLAP_FLOOR (a part too small to split comes back whole)."""
    weights = sum(GROWTH**k for k in range(OVERLAP_PARTS))
    size = max(OVERLAP_FLOOR, math.ceil(len(records) / weights))
    parts: list[list[InboundRecord]] = []
    start = 0
    while start < len(records):
        rest = len(records) - start
        take = size if rest - size >= OVERLAP_FLOOR and len(parts) < OVERLAP_PARTS - 1 else rest
        parts.append(list(records[start : start + take]))
        start += take
        size *= GROWTH
    return parts


def share_the_gil_often() -> None:
    """Let a thread waiting for the GIL get it within SWITCH_INTERVAL_S instead of 5 ms.

    When the main thread's database call returns it must take the GIL back from the decoding worker,
    which by default yields it only every 5 ms: with dozens of round trips per transaction that wait
    would eat what the overlap gains. Only for processes that run a consumer loop (`casehub consume`,
    its members, the rebuild, the benchmark's workers), next to the collector tuning (consumers/heap.py):
    an import must not change a whole process's thread scheduling."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


@dataclass(frozen=True)
class Decoding:
    """A part being decoded in the worker: its records and the decoded batch with its decode seconds."""

    records: list[InboundRecord]
    future: Future[tuple[DecodedBatch, float]]


class DecodeAhead:
    """One worker thread that decodes the next part; a context manager that joins it on exit."""

    def __init__(self, decode: Decode) -> None:
        self._decode = decode
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode-ahead")
        self._pending: Decoding | None = None

    def start(self, records: list[InboundRecord]) -> None:
        """Begin decoding the part the loop writes next (only one part is ever ahead)."""
        self.discard()
        self._pending = Decoding(records, self._executor.submit(self._timed, records))

    def take(self, records: list[InboundRecord]) -> Decoding | None:
        """The decoding started for exactly this part, if any; a stale one is discarded."""
        pending, self._pending = self._pending, None
        if pending is not None and pending.records is records:
            return pending
        if pending is not None:
            _settle(pending.future)
        return None

    def discard(self) -> None:
        """Forget the part ahead (its records are decoded again when written, nothing is lost)."""
        if self._pending is not None:
            _settle(self._pending.future)
            self._pending = None

    def close(self) -> None:
        """Cancel what has not started, wait for what has: the worker never outlives the loop."""
        self._pending = None
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> DecodeAhead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _timed(self, records: list[InboundRecord]) -> tuple[DecodedBatch, float]:
        began = time.perf_counter()
        return self._decode(records), time.perf_counter() - began


def _settle(future: Future[tuple[DecodedBatch, float]]) -> None:
    """Cancel a decode not yet started, or wait for a running one (its result or error unused)."""
    if not future.cancel():
        future.exception()
