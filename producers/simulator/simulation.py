"""Realistic multi-agency traffic for demos, tests and benchmarks: `simulate_events(n, seed)`.

Deterministic: the same seed and parameters (the event count included, since the seller population is
sized from it) give byte-identical events: one random.Random drives everything, ids included, and no
clock is read. Cases open uniformly over a window of days (by default
the year 2025, so codes change at the 2025-07-01 province merger) and are told one after another.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from producers.simulator.lifecycle import CaseLifecycle, run_tag
from producers.simulator.sellers import SellerPool
from producers.simulator.weights import agency_weights, category_weights, platform_weights, province_weights
from schemas.events import CaseEvent

EVENTS_PER_CASE = 8
"""About how many events a simulated case tells; sizes the seller population."""
CASES_PER_SELLER = 1.0
"""Sellers in the population per expected case; with Zipf popularity many are never met."""


class Simulation:
    """A run of the simulator; `ground_truth()` says which subject ids are the same real seller."""

    def __init__(
        self, seed: int = 389, *, start: date = date(2025, 1, 1), days: int = 365, sellers: int = 0
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.tag = ""
        self.start = datetime(start.year, start.month, start.day, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
        self.days = days
        self.sellers = sellers
        self.pool: SellerPool | None = None
        self.cases = 0

    def events(self, count: int) -> Iterator[CaseEvent]:
        """Exactly `count` events, case after case (the last case may be cut short)."""
        size = self.sellers or max(100, int(count / EVENTS_PER_CASE / CASES_PER_SELLER))
        self.pool = pool = SellerPool(self.rng, size)
        self.tag = run_tag(self.seed, count, self.start, self.days, self.sellers)
        produced = 0
        while produced < count:
            self.cases += 1
            for event in self._case(pool, self.cases).tell():
                yield event
                produced += 1
                if produced == count:
                    return

    def _case(self, pool: SellerPool, number: int) -> CaseLifecycle:
        rng = self.rng
        category = category_weights().draw(rng)
        opened_at = self.start + timedelta(days=rng.randrange(self.days), hours=rng.randint(0, 10))
        return CaseLifecycle(
            rng,
            pool,
            number,
            agency=agency_weights(category).draw(rng),
            category_code=category,
            platform=platform_weights().draw(rng),
            province=province_weights().draw(rng),
            opened_at=opened_at,
            run_tag=self.tag,
        )

    def ground_truth(self) -> dict[str, Any]:
        """Subject id → seller key and each seller's identifiers, for entity-resolution scoring."""
        return self.pool.ground_truth() if self.pool else {"subject_to_seller": {}, "sellers": {}}


def simulate_events(
    n: int, seed: int = 389, *, start: date = date(2025, 1, 1), days: int = 365
) -> Iterator[CaseEvent]:
    """`n` realistic events from the seed; use Simulation directly to keep the ground truth."""
    return Simulation(seed, start=start, days=days).events(n)
