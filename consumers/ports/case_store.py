"""What the materializer needs from a store: one transaction per batch and the offsets it holds.

The SQL store implements it for SQLite and PostgreSQL; unit tests use an in-memory fake subclass,
and one contract test suite runs against all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from consumers.records import (
    AudienceViews,
    CaseState,
    DeadLetter,
    ProjectionRow,
    ReplayOutcome,
    StoredDeadLetter,
    StoredEvent,
    SubjectState,
    TopicPartitionOffset,
)
from consumers.subject_fold import fold_subject


class StoreTransaction(ABC):
    """Writes of one batch; nothing is visible to others until the transaction commits.

    Errors: `StoreUnavailable` when the store cannot be used now (wait and retry the batch),
    `StoreRejected` when it refuses what was written (`EventsRejected` names the events).
    """

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A nested unit: on an exception its writes are undone, the transaction's earlier ones kept,
        and the error re-raised as StoreUnavailable or StoreRejected."""

    @abstractmethod
    def add_events(self, events: Sequence[StoredEvent]) -> list[StoredEvent]:
        """Append events to the log and return those that were new. A stored event id with the same
        content is ignored; one with other content raises EventsRejected naming it."""

    @abstractmethod
    def events_of_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Every stored event of each case, including those added in this transaction."""

    @abstractmethod
    def lock_cases(self, case_ids: Iterable[str]) -> dict[str, CaseState]:
        """Lock these cases until commit (those without a row too) and return those with events."""

    @abstractmethod
    def lock_subjects(self, subject_ids: Iterable[str]) -> None:
        """Lock these subjects until commit (those without a row too), so folds never race."""

    @abstractmethod
    def restricted_case_ids(self, case_ids: Iterable[str]) -> set[str]:
        """Which of these cases already have restricted events (and so per-audience views)."""

    @abstractmethod
    def put_audience_views(self, views: Sequence[AudienceViews]) -> None:
        """Replace the per-audience views of these cases and mark them restricted."""

    @abstractmethod
    def put_cases(self, cases: Sequence[CaseState]) -> None:
        """Insert or replace the projection rows of these cases."""

    @abstractmethod
    def add_rows(self, rows: Sequence[ProjectionRow]) -> None:
        """Insert per-event projection rows; a row whose key is already stored is ignored."""

    @abstractmethod
    def observations_of_subjects(self, subject_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Every stored observation row of each subject, this transaction's included."""

    @abstractmethod
    def put_subjects(self, subjects: Sequence[SubjectState]) -> None:
        """Insert or replace the shared records of these subjects."""

    def refold_subjects(self, subject_ids: Iterable[str]) -> None:
        """Fold these subjects again from every observation of them stored (this transaction's
        included) and store the records; the caller holds their locks. Here in Python (`fold_subject`);
        a store that can fold them where the rows are overrides it (PostgreSQL: one statement)."""
        observed = self.observations_of_subjects(subject_ids)
        self.put_subjects([fold_subject(subject_id, rows) for subject_id, rows in observed.items()])

    @abstractmethod
    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        """Keep rejected records; the same source position twice is stored once."""

    @abstractmethod
    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        """Record the next offset to read per partition for this consumer group."""

    @abstractmethod
    def record_replays(self, outcomes: Sequence[ReplayOutcome]) -> None:
        """Count a replay per dead letter: resolve those that became events, renew the reason of the rest."""


class CaseStore(ABC):
    @abstractmethod
    def transaction(self) -> AbstractContextManager[StoreTransaction]:
        """A unit of work: commits when the block ends normally, rolls back on any exception."""

    @abstractmethod
    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        """Next offset per (topic, partition) the store has recorded for a consumer group."""

    @abstractmethod
    def dead_letters(
        self, *, pending_only: bool = True, ids: Sequence[int] | None = None
    ) -> list[StoredDeadLetter]:
        """Kept dead letters in arrival order; pending = not yet resolved by a replay."""
