"""A hook told about each materialized batch; the ops metrics implement it, the default does nothing."""

from __future__ import annotations

from collections.abc import Sequence

from consumers.records import DeadLetter, StoredEvent


class BatchObserver:
    """Subclass and override what you need; every method is called after the store has committed."""

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        """A batch is in the store: `events` were new or repeated, `dead_letters` were rejected."""

    def store_unavailable(self, error: Exception) -> None:
        """A store transaction failed; the batch will be retried."""
