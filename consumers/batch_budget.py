"""How many records of a polled batch to write in one transaction: as many as fit a time budget.

A poll hands over up to 2,000 records while the consumer keeps up (`STEADY_POLL_RECORDS`; in a backlog up to
`max_poll_records`, 8,000, below), and the batch commits as one transaction: every record in it becomes
visible when the last one is written. At a steady rate the polls are small, but after
any hiccup (a pause, a burst, a busy core) the next poll is full and its first records would wait for all of
it — a second on an idle 2-core machine, several on a loaded one — before they commit. Cutting such a batch
into parts that each take about `seconds` commits the early records sooner; the loop writes the parts one
after another before it polls again, so nothing is reordered and no rebalance falls between them.

The cost of a record is learned from the batches written (seconds of decode and store work per record, the
bigger batches weighing more, older ones fading), so the cut follows the machine's actual speed instead of a
fixed count. The floor keeps each transaction's fixed costs (offsets, commit, broker commit) small beside
its records. Count-only batching would need one count for an idle and a loaded machine; a time budget needs
no such guess. kafka-python's `max_records` per poll could bound batches too, but the records are already
fetched and in memory: cutting them here costs nothing and works for every record source.

A backlog is another matter: its first record has waited in the log already, seconds or hours, and what a
part adds to that matters in proportion. So a part may also take up to `BACKLOG_SHARE` of the time the
first record waited (its Kafka timestamp; none, or one from the future, counts as no wait), at most
`BACKLOG_MAX_SECONDS`: a record that waited 10 s may wait 1 s more, one that waited 50 ms gets the budget
as it is; after such a part the next poll may take the source's whole limit (`poll_records`), so parts can
grow, while a steady stream's polls stay at 2,000 as before. Bigger parts are what make catching up cheaper
per event: a case touched by several events is
folded and written once per part instead of once per small part, and each statement's fixed costs are
shared by more rows (one member catching up on 100,000 of the bench's events, 3 alternating rounds: polls of
up to 8,000 with this rule took 55.4–58.4 µs of our CPU and 28.6–36.6 µs of PostgreSQL's per event, polls
of 2,000 61.0–71.6 and 35.1–37.8; docs/architecture.md, "A backlog gets bigger parts").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

FLOOR_RECORDS = 100
"""Never fewer records per transaction than this (unless the poll had fewer)."""
BACKLOG_SHARE = 0.1
"""A part may take this share of the time its first record waited in the log (if more than the budget)."""
BACKLOG_MAX_SECONDS = 2.0
"""... but never more than this (a transaction's locks and memory stay bounded)."""
STEADY_POLL_RECORDS = 2_000
"""Records a poll takes at most while the consumer keeps up; in a backlog, the source's own limit."""
_FADE = 0.8
"""Weight kept by what earlier batches said, per batch written."""


class BatchBudget:
    """Learns seconds per record from written batches; cuts a polled batch to what fits `seconds`."""

    def __init__(
        self, seconds: float, floor: int = FLOOR_RECORDS, backlog_share: float = BACKLOG_SHARE
    ) -> None:
        """`backlog_share` 0: a backlog's parts get the plain budget too."""
        if seconds <= 0:
            raise ValueError("a batch budget must be positive (no budget: pass None instead)")
        if floor < 1:
            raise ValueError("the floor must be at least one record")
        if not 0 <= backlog_share <= 1:
            raise ValueError("the backlog share must be between 0 and 1")
        self.seconds = seconds
        self.floor = floor
        self.backlog_share = backlog_share
        self.backlog = False
        """Whether the last part cut was a backlog's (its first record waited long enough for more)."""
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
        return self.records_within(self.seconds)

    def records_within(self, seconds: float) -> int | None:
        """Records that fit `seconds` of work (at least the floor); None (no limit) until a batch was
        written."""
        cost = self.seconds_per_record
        if not cost:  # nothing learned yet, or batches that cost nothing measurable
            return None
        fit = seconds / cost
        if not math.isfinite(fit):  # a cost too small for a float quotient: no limit, as for none
            return None
        return max(self.floor, int(fit))

    @property
    def poll_records(self) -> int | None:
        """At most how many records the next poll should take: a steady stream's polls stay the size they
        were before backlogs got bigger parts (`STEADY_POLL_RECORDS`), a backlog's take the source's limit
        (None), so that its parts can grow."""
        return None if self.backlog else STEADY_POLL_RECORDS

    def seconds_for(self, waited_s: float) -> float:
        """The budget of a part whose first record has waited `waited_s` in the log."""
        if not waited_s > 0:  # no wait, or none known (NaN included)
            return self.seconds
        return max(self.seconds, min(self.backlog_share * waited_s, BACKLOG_MAX_SECONDS))

    def cut(self, records: Sequence[T], waited_s: float = 0.0) -> tuple[list[T], list[T]]:
        """The part to write now, in poll order, and the rest (written next, before the next poll);
        `waited_s`: how long the first record has waited in the log (a backlog's parts are bigger)."""
        budget_s = self.seconds_for(waited_s)
        self.backlog = budget_s > self.seconds
        limit = self.records_within(budget_s)
        if limit is None or len(records) <= limit:
            return list(records), []
        return list(records[:limit]), list(records[limit:])


def waited_seconds(timestamp_ms: int, now_ms: float) -> float:
    """How long a record with this Kafka timestamp has waited; 0 when it has none (≤ 0) or one to come."""
    if timestamp_ms <= 0 or timestamp_ms >= now_ms:
        return 0.0
    return (now_ms - timestamp_ms) / 1000
