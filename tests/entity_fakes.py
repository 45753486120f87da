"""An in-memory entity store that subclasses the port (consumers/entity/store_port.py), for unit tests of
the entity linker and the tracking loop; tests/integration/test_entity_store_contract.py holds it to the
same contract as the SQL store."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consumers.entity.store_port import EntityStore, EntityTransaction, Key, Occurrence
from consumers.records import DeadLetter, TopicPartitionOffset
from tests.store_outages import StoreOutages


@dataclass
class EntityState:
    linker: tuple[int, str] | None = None
    identifiers: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    stops: dict[Key, str] = field(default_factory=dict)
    blocks: dict[tuple[str, Key], str] = field(default_factory=dict)
    dead_letters: dict[tuple[str, str, int, int], DeadLetter] = field(default_factory=dict)
    offsets: dict[tuple[str, str, int], int] = field(default_factory=dict)


class MemoryEntityTransaction(EntityTransaction):
    def __init__(self, state: EntityState) -> None:
        self.state = state

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = copy.deepcopy(self.state)
        try:
            yield
        except Exception:
            self.state.__dict__.update(saved.__dict__)
            raise

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            key = (letter.consumer_group, letter.topic, letter.partition, letter.offset)
            self.state.dead_letters.setdefault(key, letter)

    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        for o in offsets:
            key = (group, o.topic, o.partition)
            self.state.offsets[key] = max(o.next_offset, self.state.offsets.get(key, 0))

    def lock_linker(self, cap: int, version: str, now: datetime) -> tuple[int, str] | None:
        before, self.state.linker = self.state.linker, (cap, version)
        return before

    def known_occurrences(self, subject_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        wanted = set(subject_ids)
        return {key for key in self.state.identifiers if key[0] in wanted}

    def add_identifiers(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            key = (row["subject_id"], row["kind"], row["value"])
            held = self.state.identifiers.get(key)
            if held is None:
                self.state.identifiers[key] = dict(row)
            elif (row["first_seen_at"], row["first_event_id"]) < (
                held["first_seen_at"],
                held["first_event_id"],
            ):
                held.update({name: row[name] for name in ("raw", "first_event_id", "first_seen_at")})

    def enrol(self, entity_of: Mapping[str, str]) -> None:
        for subject_id, entity_id in entity_of.items():
            self.state.members.setdefault(subject_id, entity_id)

    def carrier_counts(self, keys: Iterable[Key]) -> dict[Key, int]:
        wanted = set(keys)
        counts: dict[Key, int] = {}
        for _subject, kind, value in self.state.identifiers:
            if (kind, value) in wanted:
                counts[(kind, value)] = counts.get((kind, value), 0) + 1
        return counts

    def carriers(self, key: Key, limit: int) -> list[str]:
        return sorted(s for s, kind, value in self.state.identifiers if (kind, value) == key)[:limit]

    def entities_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        return {s: self.state.members[s] for s in set(subject_ids) if s in self.state.members}

    def members_of(self, entity_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(entity_ids)
        return {s: e for s, e in self.state.members.items() if e in wanted}

    def all_members(self) -> dict[str, str]:
        return dict(self.state.members)

    def occurrences_of(self, subject_ids: Iterable[str], *, strong_only: bool = True) -> list[Occurrence]:
        wanted = set(subject_ids)
        return [o for o in self._occurrences(strong_only) if o.subject_id in wanted]

    def all_occurrences(self) -> list[Occurrence]:
        return self._occurrences(strong_only=True)

    def _occurrences(self, strong_only: bool) -> list[Occurrence]:
        return [
            Occurrence(s, kind, value, row["first_event_id"], row["first_seen_at"])
            for (s, kind, value), row in sorted(self.state.identifiers.items())
            if row["strong"] or not strong_only
        ]

    def entities_carrying(self, keys: Iterable[Key], outside: set[str]) -> set[str]:
        wanted = set(keys)
        return {
            self.state.members[s]
            for s, kind, value in self.state.identifiers
            if (kind, value) in wanted and s in self.state.members and s not in outside
        }

    def move_members(self, entity_of: Mapping[str, str]) -> None:
        for subject_id, entity_id in entity_of.items():
            if subject_id in self.state.members:
                self.state.members[subject_id] = entity_id

    def add_history(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            self.state.history.append({**row, "seq": len(self.state.history) + 1})

    def history_of(self, subject_ids: Iterable[str], limit: int = 200) -> list[dict[str, Any]]:
        wanted = set(subject_ids)
        found = [
            r for r in self.state.history if r["subject_id"] in wanted or r["other_subject_id"] in wanted
        ]
        return [dict(r) for r in reversed(found)][:limit]

    def stopped_keys(self) -> dict[Key, str]:
        return dict(self.state.stops)

    def add_stop(self, key: Key, reason: str, by: str, now: datetime) -> None:
        self.state.stops.setdefault(key, reason)

    def remove_stop(self, key: Key) -> bool:
        return self.state.stops.pop(key, None) is not None

    def blocked_keys(self) -> dict[tuple[str, Key], str]:
        return dict(self.state.blocks)

    def add_blocks(self, subject_id: str, keys: Iterable[Key], reason: str, by: str, now: datetime) -> None:
        for key in keys:
            self.state.blocks.setdefault((subject_id, key), reason)

    def remove_blocks(self, subject_id: str, keys: Iterable[Key] | None) -> list[Key]:
        held = {key for s, key in self.state.blocks if s == subject_id}
        lifted = sorted(held if keys is None else held & set(keys))
        for key in lifted:
            del self.state.blocks[(subject_id, key)]
        return lifted


class MemoryEntityStore(StoreOutages, EntityStore):
    """Transactions work on a copy that replaces the state only on success, like a real rollback."""

    outage_reason = "entity store is down (fake)"

    def __init__(self) -> None:
        self.state = EntityState()

    @contextmanager
    def transaction(self) -> Iterator[EntityTransaction]:
        self._outage()
        draft = copy.deepcopy(self.state)
        yield MemoryEntityTransaction(draft)
        self.state = draft

    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        return {(t, p): o for (g, t, p), o in self.state.offsets.items() if g == group}
