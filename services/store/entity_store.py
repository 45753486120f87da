"""SQL of entity resolution over a caller's connection (the linker's transaction): set-based, chunked.

The linker reaches these through the entity store port (services/store/sql_entity_store.py); the read
side (notifications, the alert inbox, the alert facts) uses the tables and a few lookups directly."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Select, Table, bindparam, func, select, tuple_, update

from consumers.entity.store_port import Key, Occurrence
from services.store.entity_tables import (
    EntityBlockRow,
    EntityIdentifierRow,
    EntityLinkRow,
    EntityMemberRow,
    EntityStateRow,
    EntityStopRow,
)
from services.store.sql_store import _insert

IDENTIFIERS = cast(Table, EntityIdentifierRow.__table__)
MEMBERS = cast(Table, EntityMemberRow.__table__)
LINKS = cast(Table, EntityLinkRow.__table__)
STOPS = cast(Table, EntityStopRow.__table__)
BLOCKS = cast(Table, EntityBlockRow.__table__)
STATE = cast(Table, EntityStateRow.__table__)
_CHUNK = 400
T = TypeVar("T")


def lock_linker(connection: Connection, cap: int, version: str, now: datetime) -> tuple[int, str] | None:
    """Take the linker's row lock (first statement of the transaction) and record the rules in force;
    returns the rules the entities were built with before, or None on the first run."""
    before = connection.execute(
        select(STATE.c.link_cap, STATE.c.stoplist_version).where(STATE.c.name == "linker")
    ).first()
    values = {"link_cap": cap, "stoplist_version": version, "updated_at": now}
    if before is None:
        statement = _insert(connection, STATE).on_conflict_do_nothing(index_elements=["name"])
        connection.execute(statement, [{"name": "linker", **values}])
    connection.execute(update(STATE).where(STATE.c.name == "linker").values(**values))
    return None if before is None else (before.link_cap, before.stoplist_version)


def known_occurrences(connection: Connection, subject_ids: Iterable[str]) -> set[tuple[str, str, str]]:
    """(subject, kind, value) already recorded for these subjects."""
    found: set[tuple[str, str, str]] = set()
    for chunk in _chunks(sorted(set(subject_ids))):
        query = select(IDENTIFIERS.c.subject_id, IDENTIFIERS.c.kind, IDENTIFIERS.c.value).where(
            IDENTIFIERS.c.subject_id.in_(chunk)
        )
        found.update((r.subject_id, r.kind, r.value) for r in connection.execute(query))
    return found


def add_identifiers(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert keys; for one already held, keep the earliest event that brought it (order-free)."""
    if not rows:
        return
    statement = _insert(connection, IDENTIFIERS)
    excluded = statement.excluded
    earlier = (excluded.first_seen_at < IDENTIFIERS.c.first_seen_at) | (
        (excluded.first_seen_at == IDENTIFIERS.c.first_seen_at)
        & (excluded.first_event_id < IDENTIFIERS.c.first_event_id)
    )
    changed = {name: excluded[name] for name in ("raw", "first_event_id", "first_seen_at")}
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["subject_id", "kind", "value"], set_=changed, where=earlier
        ),
        [dict(row) for row in rows],
    )


def enrol(connection: Connection, entity_of: Mapping[str, str]) -> None:
    """Give subjects not yet in any entity the entity proposed for them (their own)."""
    if entity_of:
        rows = [{"subject_id": s, "entity_id": e} for s, e in sorted(entity_of.items())]
        connection.execute(
            _insert(connection, MEMBERS).on_conflict_do_nothing(index_elements=["subject_id"]), rows
        )


def carrier_counts(connection: Connection, keys: Iterable[Key]) -> dict[Key, int]:
    """How many subjects carry each key, in the whole store."""
    counts: dict[Key, int] = {}
    for chunk in _chunks(sorted(set(keys))):
        query = (
            select(IDENTIFIERS.c.kind, IDENTIFIERS.c.value, func.count())
            .where(tuple_(IDENTIFIERS.c.kind, IDENTIFIERS.c.value).in_(chunk))
            .group_by(IDENTIFIERS.c.kind, IDENTIFIERS.c.value)
        )
        counts.update({(kind, value): n for kind, value, n in connection.execute(query)})
    return counts


def carriers(connection: Connection, key: Key, limit: int) -> list[str]:
    """Up to `limit` subjects carrying a key, smallest ids first."""
    query = (
        select(IDENTIFIERS.c.subject_id)
        .where(IDENTIFIERS.c.kind == key[0], IDENTIFIERS.c.value == key[1])
        .order_by(IDENTIFIERS.c.subject_id)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())


def entities_of(connection: Connection, subject_ids: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(subject_ids))):
        query = select(MEMBERS.c.subject_id, MEMBERS.c.entity_id).where(MEMBERS.c.subject_id.in_(chunk))
        found.update({r.subject_id: r.entity_id for r in connection.execute(query)})
    return found


def members_of(connection: Connection, entity_ids: Iterable[str]) -> dict[str, str]:
    """subject → entity for every member of these entities."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(entity_ids))):
        query = select(MEMBERS.c.subject_id, MEMBERS.c.entity_id).where(MEMBERS.c.entity_id.in_(chunk))
        found.update({r.subject_id: r.entity_id for r in connection.execute(query)})
    return found


def all_members(connection: Connection) -> dict[str, str]:
    return {r.subject_id: r.entity_id for r in connection.execute(select(MEMBERS))}


def occurrences_of(
    connection: Connection, subject_ids: Iterable[str], *, strong_only: bool = True
) -> list[Occurrence]:
    found: list[Occurrence] = []
    for chunk in _chunks(sorted(set(subject_ids))):
        query = _occurrences(strong_only).where(IDENTIFIERS.c.subject_id.in_(chunk))
        found.extend(Occurrence(*row) for row in connection.execute(query))
    return found


def all_occurrences(connection: Connection) -> list[Occurrence]:
    """Every strong key of every subject (a relink from scratch)."""
    return [Occurrence(*row) for row in connection.execute(_occurrences(strong_only=True))]


def _occurrences(strong_only: bool) -> Select[Any]:
    columns = [IDENTIFIERS.c[n] for n in ("subject_id", "kind", "value", "first_event_id", "first_seen_at")]
    query = select(*columns)
    return query.where(IDENTIFIERS.c.strong.is_(True)) if strong_only else query


def entities_carrying(connection: Connection, keys: Iterable[Key], outside: set[str]) -> set[str]:
    """Entities of the carriers of these keys that are not among `outside`'s subjects."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        query = (
            select(IDENTIFIERS.c.subject_id, MEMBERS.c.entity_id)
            .join(MEMBERS, MEMBERS.c.subject_id == IDENTIFIERS.c.subject_id)
            .where(tuple_(IDENTIFIERS.c.kind, IDENTIFIERS.c.value).in_(chunk))
        )
        found.update(r.entity_id for r in connection.execute(query) if r.subject_id not in outside)
    return found


def move_members(connection: Connection, entity_of: Mapping[str, str]) -> None:
    """Put subjects into their new entities (one executemany)."""
    if not entity_of:
        return
    statement = (
        update(MEMBERS)
        .where(MEMBERS.c.subject_id == bindparam("moved_subject"))
        .values(entity_id=bindparam("new_entity"))
    )
    rows = [{"moved_subject": s, "new_entity": e} for s, e in sorted(entity_of.items())]
    connection.execute(statement, rows)


def add_history(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        connection.execute(LINKS.insert(), [dict(row) for row in rows])


def history_of(connection: Connection, subject_ids: Iterable[str], limit: int = 200) -> list[dict[str, Any]]:
    """The merges and splits that involved these subjects, newest first."""
    wanted = sorted(set(subject_ids))[:_CHUNK]
    query = (
        select(LINKS)
        .where(LINKS.c.subject_id.in_(wanted) | LINKS.c.other_subject_id.in_(wanted))
        .order_by(LINKS.c.seq.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def stopped_keys(connection: Connection) -> dict[Key, str]:
    return {(r.kind, r.value): r.reason for r in connection.execute(select(STOPS))}


def add_stop(connection: Connection, key: Key, reason: str, by: str, now: datetime) -> None:
    row = {"kind": key[0], "value": key[1], "reason": reason, "added_by": by, "added_at": now}
    connection.execute(
        _insert(connection, STOPS).on_conflict_do_nothing(index_elements=["kind", "value"]), [row]
    )


def remove_stop(connection: Connection, key: Key) -> bool:
    """Take a key off the run-time stop-list; False when it was not on it."""
    statement = STOPS.delete().where(STOPS.c.kind == key[0], STOPS.c.value == key[1])
    return bool(connection.execute(statement).rowcount)


def blocked_keys(connection: Connection) -> dict[tuple[str, Key], str]:
    return {(r.subject_id, (r.kind, r.value)): r.reason for r in connection.execute(select(BLOCKS))}


def add_blocks(
    connection: Connection, subject_id: str, keys: Iterable[Key], reason: str, by: str, now: datetime
) -> None:
    rows = [
        {"subject_id": subject_id, "kind": k, "value": v, "reason": reason, "added_by": by, "added_at": now}
        for k, v in sorted(set(keys))
    ]
    if rows:
        statement = _insert(connection, BLOCKS).on_conflict_do_nothing(
            index_elements=["subject_id", "kind", "value"]
        )
        connection.execute(statement, rows)


def remove_blocks(connection: Connection, subject_id: str, keys: Iterable[Key] | None) -> list[Key]:
    """Lift a subject's blocks (all, or those on these keys); returns the keys lifted."""
    query = select(BLOCKS.c.kind, BLOCKS.c.value).where(BLOCKS.c.subject_id == subject_id)
    held = {(r.kind, r.value) for r in connection.execute(query)}
    lifted = sorted(held if keys is None else held & set(keys))
    for kind, value in lifted:
        connection.execute(
            BLOCKS.delete().where(
                BLOCKS.c.subject_id == subject_id, BLOCKS.c.kind == kind, BLOCKS.c.value == value
            )
        )
    return lifted


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
