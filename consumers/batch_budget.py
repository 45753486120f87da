"""How many records of a polled batch to write in one transaction: as many as fit a time budget.

A poll hands over up to `max_poll_records` (2,000) records, and the batch commits as one transaction: every
record in it becomes visible when the last one is written. At a steady rate the polls are small, but after
any hiccup (a pause, a burst, a busy core) the next poll is full and its first records wait for all 2,000 —
~300 ms on an idle 2-core machine, seconds on a loaded one — before they commit. Cutting such a batch into
parts that each take about `seconds` commits the early records sooner; the loop writes the parts one after
another before it polls again, so nothing is reordered and no rebalance falls between them.

The cost of a record is learned from the batches written (seconds of decode and store work per record, the
bigger batches weighing more, older ones fading), so the cut follows the machine's actual speed instead of a
fixed count. The floor keeps each transaction's fixed costs (offsets, commit, broker commit) small beside
its records. Count-only batching would need one count for an idle and a loaded machine; a time budget needs
no such guess. kafka-python's `max_records` per poll could bound batches too, but the records are already
fetched and in memory: cutting them here costs nothing and works for every record source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

FLOOR_RECORDS = 100
"""Never fewer records per transaction than this (unless the poll had fewer)."""
_FADE = 0.8
"""Weight kept by what earlier batches said, per batch written."""


class BatchBudget:
    """Learns seconds per record from written batches; cuts a polled batch to what fits `seconds`."""

    def __init__(self, seconds: float, floor: int = FLOOR_RECORDS) -> None:
        if seconds <= 0:
            raise ValueError("a batch budget must be positive (no budget: pass None instead)")
        if floor < 1:
            raise ValueError("the floor must be at least one record")
        self.seconds = seconds
        self.floor = floor
        self._weighted_seconds = 0.0
        self._weighted_records = 0.0

    def observe(self, records: int, seconds: float) -> None:
        """A batch of `records` took `seconds` of decode and store work (retries and waits excluded)."""
        if records <= 0 or seconds < 0:
            return
        self._weighted_seconds = self._weighted_seconds * _FADE + seconds
        self._weighted_records = self._weighted_records * _FADE + records

    @property
    def seconds_per_record(self) -> float | None:
        """The learned cost of a record; None until a batch was written."""
        if self._weighted_records <= 0:
            return None
        return self._weighted_seconds / self._weighted_records

    @property
    def records(self) -> int | None:
        """Records that fit the budget (at least the floor); None (no limit) until a batch was written."""
        cost = self.seconds_per_record
        if not cost:  # nothing learned yet, or batches that cost nothing measurable
            return None
        fit = self.seconds / cost
        if not math.isfinite(fit):  # a cost too small for a float quotient: no limit, as for none
            return None
        return max(self.floor, int(fit))

    def cut(self, records: Sequence[T]) -> tuple[list[T], list[T]]:
        """The part to write now, in poll order, and the rest (written next, before the next poll)."""
        limit = self.records
        if limit is None or len(records) <= limit:
            return list(records), []
        return list(records[:limit]), list(records[limit:])
