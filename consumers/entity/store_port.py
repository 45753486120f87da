"""What the entity linker needs from a store: one transaction per batch (or correction) over the entity
tables, with the group's dead letters and offsets in it, so the tracking loop (consumers/tracking.py)
runs the entity group exactly as it runs the materializer.

The SQL store implements it for SQLite and PostgreSQL (services/store/sql_entity_store.py); unit tests use
an in-memory fake subclass (tests/entity_fakes.py), and ONE contract suite runs against all of them
(tests/integration/test_entity_store_contract.py). Identifier and history rows stay plain mappings with
the columns of the entity tables: the linker builds them, the store only keeps them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consumers.records import DeadLetter, TopicPartitionOffset

Key = tuple[str, str]
"""(kind, canonical value)."""


@dataclass(frozen=True)
class Occurrence:
    """A subject carries a key, first brought by this event."""

    subject_id: str
    kind: str
    value: str
    first_event_id: str
    first_seen_at: datetime


class EntityTransaction(ABC):
    """Reads and writes of one linking step; nothing is visible to others until it commits.

    Errors: `StoreUnavailable` when the store cannot be used now (wait and retry), `StoreRejected` when
    it refuses what was written; errors of the caller's own code pass as they are.
    """

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A nested unit: on an exception its writes are undone, the transaction's earlier ones kept."""

    @abstractmethod
    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        """Keep refused records; the same source position twice is stored once."""

    @abstractmethod
    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        """Record the next offset to read per partition for this consumer group (never backwards)."""

    @abstractmethod
    def lock_linker(self, cap: int, version: str, now: datetime) -> tuple[int, str] | None:
        """Serialise linkers (first statement of the step) and record the rules in force; returns the
        (cap, stop-list version) the entities were built with before, None on the first run."""

    @abstractmethod
    def known_occurrences(self, subject_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        """(subject, kind, value) already recorded for these subjects."""

    @abstractmethod
    def add_identifiers(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record keys (subject_id, kind, value, strong, raw, first_event_id, first_seen_at); for a key
        already held keep the earliest (first_seen_at, first_event_id), so arrival order does not matter."""

    @abstractmethod
    def enrol(self, entity_of: Mapping[str, str]) -> None:
        """Give subjects not yet in any entity the entity proposed for them; members keep theirs."""

    @abstractmethod
    def carrier_counts(self, keys: Iterable[Key]) -> dict[Key, int]:
        """How many subjects carry each key in the whole store (keys nobody carries are absent)."""

    @abstractmethod
    def carriers(self, key: Key, limit: int) -> list[str]:
        """Up to `limit` subjects carrying a key, smallest ids first."""

    @abstractmethod
    def entities_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        """subject → entity for those of these subjects that are enrolled."""

    @abstractmethod
    def members_of(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """subject → entity for every member of these entities."""

    @abstractmethod
    def all_members(self) -> dict[str, str]:
        """subject → entity for every enrolled subject."""

    @abstractmethod
    def occurrences_of(self, subject_ids: Iterable[str], *, strong_only: bool = True) -> list[Occurrence]:
        """The keys these subjects carry (only the strong ones unless told)."""

    @abstractmethod
    def all_occurrences(self) -> list[Occurrence]:
        """Every strong key of every subject (a relink from scratch)."""

    @abstractmethod
    def entities_carrying(self, keys: Iterable[Key], outside: set[str]) -> set[str]:
        """Entities of the carriers of these keys, leaving out the subjects in `outside`."""

    @abstractmethod
    def move_members(self, entity_of: Mapping[str, str]) -> None:
        """Put enrolled subjects into their new entities."""

    @abstractmethod
    def add_history(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append merges, splits and corrections (at, action, entity_id, subject_id, other_subject_id,
        kind, value, event_id, reason) to the history."""

    @abstractmethod
    def history_of(self, subject_ids: Iterable[str], limit: int = 200) -> list[dict[str, Any]]:
        """The history rows that involve these subjects (as subject or other subject), newest first."""

    @abstractmethod
    def stopped_keys(self) -> dict[Key, str]:
        """The run-time stop-list: key → reason."""

    @abstractmethod
    def add_stop(self, key: Key, reason: str, by: str, now: datetime) -> None:
        """Put a key on the run-time stop-list (a key already on it keeps its first reason)."""

    @abstractmethod
    def remove_stop(self, key: Key) -> bool:
        """Take a key off the run-time stop-list; False when it was not on it."""

    @abstractmethod
    def blocked_keys(self) -> dict[tuple[str, Key], str]:
        """(subject, key) → reason, for every key blocked from linking one subject."""

    @abstractmethod
    def add_blocks(self, subject_id: str, keys: Iterable[Key], reason: str, by: str, now: datetime) -> None:
        """Block these keys from linking the subject (a block already held keeps its first reason)."""

    @abstractmethod
    def remove_blocks(self, subject_id: str, keys: Iterable[Key] | None) -> list[Key]:
        """Lift a subject's blocks (all, or those on these keys); the keys lifted, sorted."""

    def weak_neighbours(self, subject_ids: Iterable[str], cap: int) -> list[tuple[str, str, str]]:
        """(kind, value, other subject) for weak keys (name, address) these subjects share with at most
        `cap` others — suggestions, never links. Built on the methods above, so every store agrees."""
        mine = [
            o for o in self.occurrences_of(subject_ids, strong_only=False) if o.kind in ("name", "address")
        ]
        keys = {(o.kind, o.value) for o in mine}
        counts = self.carrier_counts(keys)
        found: list[tuple[str, str, str]] = []
        for key in sorted(k for k in keys if counts.get(k, 0) <= cap + 1):
            found.extend((key[0], key[1], other) for other in self.carriers(key, cap + 1))
        return found


class EntityStore(ABC):
    @abstractmethod
    def transaction(self) -> AbstractContextManager[EntityTransaction]:
        """A unit of work: commits when the block ends normally, rolls back on any exception."""

    @abstractmethod
    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        """Next offset per (topic, partition) the store has recorded for a consumer group."""
