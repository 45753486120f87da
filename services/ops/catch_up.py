"""How fast lag drains right now, and so when a partition or a group will be caught up.

Measured over the most recent span (a full Burrow window: intervals × min distance) from the raw commit
history, not over the window's slots: a window can hold a commit from before a backlog arrived, and a
consumer draining partitions one after another has no recent commits on the ones still waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.ops.burrow import OffsetCommit


@dataclass(frozen=True)
class Progress:
    """Offsets consumed and messages produced on a partition over the last `span_s` seconds."""

    consumed: int
    produced: int
    span_s: float

    @property
    def consume_rate(self) -> float:
        return self.consumed / self.span_s

    @property
    def drain_rate(self) -> float:
        """Consumption minus production: how fast the lag shrinks."""
        return (self.consumed - self.produced) / self.span_s


def recent_progress(
    commits: Sequence[OffsetCommit],
    committed: int,
    log_end: int,
    log_end_then: int,
    since_ms: int,
    now_ms: int,
) -> Progress:
    """Progress since `since_ms`, starting from the last commit at or before it (or the first after it)."""
    before = [c for c in commits if c.committed_ms <= since_ms]
    after = [c for c in commits if c.committed_ms > since_ms]
    if before:
        start_offset, start_ms = before[-1].offset, since_ms
    elif after:
        start_offset, start_ms = after[0].offset, after[0].committed_ms
    else:
        start_offset, start_ms = committed, since_ms
    span_s = max(now_ms - start_ms, 1) / 1000
    return Progress(
        consumed=max(committed - start_offset, 0), produced=max(log_end - log_end_then, 0), span_s=span_s
    )


def seconds_to_catch_up(lag: int, progress: Iterable[Progress]) -> float | None:
    """Lag ÷ drain rate (summed over partitions for a group); None when the lag is not shrinking."""
    if lag == 0:
        return 0.0
    drain = sum(p.drain_rate for p in progress)
    return lag / drain if drain > 0 else None
