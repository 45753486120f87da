"""The entity store port (consumers/entity/store_port.py) on SQLite and PostgreSQL: each method is one
set-based statement of services/store/entity_store.py over the transaction's connection, and dead letters,
offsets and savepoints are the case store's own (one dead_letters and consumer_offsets table for all groups).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consumers.entity.store_port import EntityStore, EntityTransaction, Key, Occurrence
from consumers.records import DeadLetter, TopicPartitionOffset
from services.store import entity_store as db
from services.store.sql_store import SqlCaseStore, SqlTransaction, store_error


class SqlEntityTransaction(EntityTransaction):
    """Over a connection the caller opened: the tracking loop's transaction, or a CLI or API correction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._tracking = SqlTransaction(connection)

    def savepoint(self) -> AbstractContextManager[None]:
        return self._tracking.savepoint()

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        self._tracking.add_dead_letters(letters)

    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        self._tracking.save_offsets(group, offsets)

    def lock_linker(self, cap: int, version: str, now: datetime) -> tuple[int, str] | None:
        return db.lock_linker(self.connection, cap, version, now)

    def known_occurrences(self, subject_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        return db.known_occurrences(self.connection, subject_ids)

    def add_identifiers(self, rows: Sequence[Mapping[str, Any]]) -> None:
        db.add_identifiers(self.connection, rows)

    def enrol(self, entity_of: Mapping[str, str]) -> None:
        db.enrol(self.connection, entity_of)

    def carrier_counts(self, keys: Iterable[Key]) -> dict[Key, int]:
        return db.carrier_counts(self.connection, keys)

    def carriers(self, key: Key, limit: int) -> list[str]:
        return db.carriers(self.connection, key, limit)

    def entities_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        return db.entities_of(self.connection, subject_ids)

    def members_of(self, entity_ids: Iterable[str]) -> dict[str, str]:
        return db.members_of(self.connection, entity_ids)

    def all_members(self) -> dict[str, str]:
        return db.all_members(self.connection)

    def occurrences_of(self, subject_ids: Iterable[str], *, strong_only: bool = True) -> list[Occurrence]:
        return db.occurrences_of(self.connection, subject_ids, strong_only=strong_only)

    def all_occurrences(self) -> list[Occurrence]:
        return db.all_occurrences(self.connection)

    def entities_carrying(self, keys: Iterable[Key], outside: set[str]) -> set[str]:
        return db.entities_carrying(self.connection, keys, outside)

    def move_members(self, entity_of: Mapping[str, str]) -> None:
        db.move_members(self.connection, entity_of)

    def add_history(self, rows: Sequence[Mapping[str, Any]]) -> None:
        db.add_history(self.connection, rows)

    def history_of(self, subject_ids: Iterable[str], limit: int = 200) -> list[dict[str, Any]]:
        return db.history_of(self.connection, subject_ids, limit)

    def stopped_keys(self) -> dict[Key, str]:
        return db.stopped_keys(self.connection)

    def add_stop(self, key: Key, reason: str, by: str, now: datetime) -> None:
        db.add_stop(self.connection, key, reason, by, now)

    def remove_stop(self, key: Key) -> bool:
        return db.remove_stop(self.connection, key)

    def blocked_keys(self) -> dict[tuple[str, Key], str]:
        return db.blocked_keys(self.connection)

    def add_blocks(self, subject_id: str, keys: Iterable[Key], reason: str, by: str, now: datetime) -> None:
        db.add_blocks(self.connection, subject_id, keys, reason, by, now)

    def remove_blocks(self, subject_id: str, keys: Iterable[Key] | None) -> list[Key]:
        return db.remove_blocks(self.connection, subject_id, keys)


class SqlEntityStore(EntityStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[EntityTransaction]:
        """Database errors come out classified (services/store/failures.py), as from the case store."""
        try:
            with self.engine.begin() as connection:
                yield SqlEntityTransaction(connection)
        except Exception as exc:
            raise store_error(exc, self.engine) from exc

    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        return SqlCaseStore(self.engine).stored_offsets(group)
