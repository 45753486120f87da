"""How fast a partition's lag drains over the Burrow window, and so when it will be caught up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.ops.burrow import CommitSample


@dataclass(frozen=True)
class CatchUp:
    """Consumption rate (messages/s) over the window and seconds until lag is zero at the current pace.

    `seconds` is None when it cannot be known (fewer than two commits) or the lag is not shrinking.
    """

    consume_rate: float | None
    seconds: float | None


def estimate_catch_up(window: Sequence[CommitSample], current_lag: int) -> CatchUp:
    """Net drain rate = consumption minus production over the window; incoming traffic slows catching up."""
    if current_lag == 0:
        return CatchUp(consume_rate=_rate(window), seconds=0.0)
    if len(window) < 2 or window[-1].at_ms <= window[0].at_ms:
        return CatchUp(consume_rate=None, seconds=None)
    span_s = (window[-1].at_ms - window[0].at_ms) / 1000
    drained = window[0].lag - window[-1].lag
    seconds = current_lag / (drained / span_s) if drained > 0 else None
    return CatchUp(consume_rate=_rate(window), seconds=seconds)


def _rate(window: Sequence[CommitSample]) -> float | None:
    if len(window) < 2 or window[-1].at_ms <= window[0].at_ms:
        return None
    return max(window[-1].offset - window[0].offset, 0) / ((window[-1].at_ms - window[0].at_ms) / 1000)
