"""The store on SQLite or PostgreSQL: set-based upserts, one transaction per materialized batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from consumers.clock import utcnow
from consumers.event_content import CHANGED_DUPLICATE, same_content
from consumers.ports.case_store import CaseStore, StoreTransaction
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
    built,
)
from consumers.store_errors import EventsRejected, StoreRejected, StoreUnavailable
from services.store import projection_tables
from services.store.audience_tables import CASE_AUDIENCE_VIEWS, RESTRICTED_CASES
from services.store.batch_statements import (
    CASE_LOCKS,
    LOCKED_CASES,
    RESTRICTED_AMONG,
    SUBJECT_LOCKS,
    lock_keys,
    save_offsets_at_once,
)
from services.store.bulk import bulk_write, bulk_write_new
from services.store.failures import first_line, is_database_error, is_outage
from services.store.queries.id_lists import among, id_chunks
from services.store.queries.text import search_text
from services.store.subject_refold import refold_subjects
from services.store.tables import Base, CaseEventRow, CaseRow, ConsumerOffsetRow, DeadLetterRow

_IN_CHUNK = 500
EVENTS = cast(Table, CaseEventRow.__table__)
CASES = cast(Table, CaseRow.__table__)
OFFSETS = cast(Table, ConsumerOffsetRow.__table__)
DEAD_LETTERS = cast(Table, DeadLetterRow.__table__)
PROJECTIONS: dict[str, Table] = {
    table.name: table for table in Base.metadata.sorted_tables if table.name in projection_tables.PER_EVENT
}
OBSERVATIONS = PROJECTIONS["subject_observations"]
SUBJECTS = cast(Table, projection_tables.SubjectRow.__table__)
_EVENT_COLUMNS = [EVENTS.c[name] for name in StoredEvent.__dataclass_fields__]
_event_values = attrgetter(*StoredEvent.__dataclass_fields__)
_EVENT_ROW = (*StoredEvent.__dataclass_fields__, "materialized_at")
"""A log row as COPY takes it: the stored event's fields in order (one C call), then when it was written."""


def _insert(connection: Connection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _upsert(connection: Connection, table: Table, keys: list[str], where: Any = None) -> Insert:
    statement = _insert(connection, table)
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    condition = where(statement.excluded) if where is not None else None
    return statement.on_conflict_do_update(index_elements=keys, set_=updates, where=condition)


class SqlTransaction(StoreTransaction):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._marks: _Marks | None = None
        """The restricted marks of the cases `lock_cases` read last (PostgreSQL): `restricted_case_ids`."""

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        if self.connection.dialect.name == "sqlite":
            _begin_sqlite(self.connection)
        self._marks = None  # what a savepoint rolls back must not be remembered past it
        try:
            with self.connection.begin_nested():
                yield
        except Exception as exc:
            raise store_error(exc, self.connection.engine) from exc
        finally:
            self._marks = None

    def add_events(self, events: Sequence[StoredEvent]) -> list[StoredEvent]:
        if not events:
            return []
        now = utcnow()
        unique = {event.event_id: event for event in reversed(events)}  # the first of each id wins
        ordered = sorted(unique.values(), key=lambda e: e.event_id)  # one lock order for all writers
        rows = [(*_event_values(event), now) for event in ordered]
        inserted = set(
            bulk_write(
                self.connection,
                EVENTS,
                rows,
                ["event_id"],
                returning=EVENTS.c.event_id,
                likely_new=True,
                columns=_EVENT_ROW,
            )
        )
        if len(inserted) < len(ordered):
            self._refuse_changed_duplicates([e for e in ordered if e.event_id not in inserted])
        return [event for event in ordered if event.event_id in inserted]

    def _refuse_changed_duplicates(self, duplicates: list[StoredEvent]) -> None:
        """An id already stored is absorbed when its content is the same, refused when it differs."""
        stored: dict[str, StoredEvent] = {}
        for chunk in id_chunks(self.connection, [e.event_id for e in duplicates], _IN_CHUNK):
            query = select(*_EVENT_COLUMNS).where(among(self.connection, EVENTS.c.event_id, chunk))
            stored.update((row.event_id, StoredEvent(*row)) for row in self.connection.execute(query))
        refused = {
            e.event_id: CHANGED_DUPLICATE for e in duplicates if not same_content(stored[e.event_id], e)
        }
        if refused:
            raise EventsRejected(refused)

    def events_of_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        found: dict[str, list[StoredEvent]] = defaultdict(list)
        for chunk in id_chunks(self.connection, sorted(set(case_ids)), _IN_CHUNK):
            query = select(*_EVENT_COLUMNS).where(among(self.connection, EVENTS.c.case_id, chunk))
            for row in self.connection.execute(query):
                found[row.case_id].append(_stored_event(row))
        return dict(found)

    def lock_cases(self, case_ids: Iterable[str]) -> dict[str, CaseState]:
        ids = sorted(set(case_ids))
        lock_keys(self.connection, CASE_LOCKS, ids)
        if self.connection.dialect.name == "postgresql" and ids:
            return self._read_locked(ids)
        found: dict[str, CaseState] = {}
        for chunk in id_chunks(self.connection, ids, _IN_CHUNK):
            query = select(CASES).where(among(self.connection, CASES.c.case_id, chunk))
            for row in self.connection.execute(query):
                if row.event_count:
                    found[row.case_id] = _case_state(row._mapping)
        return found

    def lock_subjects(self, subject_ids: Iterable[str]) -> None:
        lock_keys(self.connection, SUBJECT_LOCKS, sorted(set(subject_ids)))

    def _read_locked(self, ids: list[str]) -> dict[str, CaseState]:
        """The locked cases with events, and which of the ids are restricted, in one statement (PostgreSQL).

        A batch asks `restricted_case_ids` about the very cases it just locked: answered from here, that is
        one round trip less per batch (~0.4 ms of our CPU on this machine, whatever the batch's size). The
        marks are read after the locks are held, as the separate query was, and a writer changes a case's
        mark only under its lock, so they stay true for the rest of the transaction; this transaction's own
        marks are added as it writes them (`put_audience_views`), and a savepoint forgets them all."""
        found: dict[str, CaseState] = {}
        restricted: set[str] = set()
        for row in self.connection.execute(LOCKED_CASES, {"ids": ids}):
            mapping = row._mapping
            if mapping["restricted_id"] is not None:
                restricted.add(mapping["restricted_id"])
            if mapping["case_id"] is not None and mapping["event_count"]:
                found[mapping["case_id"]] = _case_state(mapping)
        self._marks = _Marks(frozenset(ids), restricted)
        return found

    def restricted_case_ids(self, case_ids: Iterable[str]) -> set[str]:
        asked = set(case_ids)
        if self._marks is not None and asked <= self._marks.read:
            return asked & self._marks.restricted
        if self.connection.dialect.name == "postgresql":
            ids = sorted(asked)
            return set(self.connection.execute(RESTRICTED_AMONG, {"ids": ids}).scalars()) if ids else set()
        found: set[str] = set()
        for chunk in id_chunks(self.connection, sorted(asked), _IN_CHUNK):
            query = select(RESTRICTED_CASES.c.case_id).where(
                among(self.connection, RESTRICTED_CASES.c.case_id, chunk)
            )
            found.update(self.connection.execute(query).scalars())
        return found

    def put_audience_views(self, views: Sequence[AudienceViews]) -> None:
        if not views:
            return
        ids = [v.case_id for v in views]
        for chunk in id_chunks(self.connection, sorted(ids), _IN_CHUNK):
            self.connection.execute(
                delete(CASE_AUDIENCE_VIEWS).where(
                    among(self.connection, CASE_AUDIENCE_VIEWS.c.case_id, chunk)
                )
            )
        rows = [{**vars(case), "audience": audience} for v in views for audience, case in v.views]
        _with_search_text(self.connection, rows)
        bulk_write(self.connection, CASE_AUDIENCE_VIEWS, rows, ["audience", "case_id"], replace=True)
        marks = [{"case_id": v.case_id, "valid_until": v.valid_until} for v in views]
        bulk_write(self.connection, RESTRICTED_CASES, marks, ["case_id"], replace=True)
        if self._marks is not None:
            self._marks.restricted.update(ids)

    def put_cases(self, cases: Sequence[CaseState]) -> None:
        if not cases:
            return
        rows = [dict(vars(case)) for case in cases]
        _with_search_text(self.connection, rows)
        bulk_write(self.connection, CASES, rows, ["case_id"], replace=True)

    def add_rows(self, rows: Sequence[ProjectionRow]) -> None:
        by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_table[row.table].append(row.values)
        new: list[tuple[Table, list[dict[str, Any]], list[str]]] = []
        for name, values in by_table.items():
            table = PROJECTIONS[name]
            keys = [c.name for c in table.primary_key.columns]
            if "event_id" in keys:  # rows keyed by their event are new (their event was just appended)
                new.append((table, values, keys))
            else:  # identifiers recur
                bulk_write(self.connection, table, values, keys)
        bulk_write_new(self.connection, new)

    def observations_of_subjects(self, subject_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for chunk in id_chunks(self.connection, sorted(set(subject_ids)), _IN_CHUNK):
            query = select(OBSERVATIONS).where(among(self.connection, OBSERVATIONS.c.subject_id, chunk))
            for row in self.connection.execute(query):
                found[row.subject_id].append(dict(row._mapping))
        return dict(found)

    def refold_subjects(self, subject_ids: Iterable[str]) -> None:
        if self.connection.dialect.name != "postgresql":
            super().refold_subjects(subject_ids)
            return
        refold_subjects(self.connection, sorted(set(subject_ids)))

    def put_subjects(self, subjects: Sequence[SubjectState]) -> None:
        if not subjects:
            return
        rows = [vars(s) for s in subjects]
        bulk_write(self.connection, SUBJECTS, rows, ["subject_id"], replace=True)

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        statement = _insert(self.connection, DEAD_LETTERS).on_conflict_do_nothing(
            index_elements=["consumer_group", "topic", "partition", "offset"]
        )
        self.connection.execute(statement, [vars(letter) for letter in letters])

    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        if not offsets:
            return
        now = utcnow()
        if self.connection.dialect.name == "postgresql":
            save_offsets_at_once(self.connection, group, offsets, now)
            return
        rows = [{"consumer_group": group, **vars(o), "updated_at": now} for o in offsets]
        keys = ["consumer_group", "topic", "partition"]
        forward_only = lambda excluded: OFFSETS.c.next_offset < excluded.next_offset  # noqa: E731
        self.connection.execute(_upsert(self.connection, OFFSETS, keys, forward_only), rows)

    def record_replays(self, outcomes: Sequence[ReplayOutcome]) -> None:
        now = utcnow()
        for outcome in outcomes:
            changes: dict[str, Any] = {
                "replay_attempts": DEAD_LETTERS.c.replay_attempts + 1,
                "last_replay_at": now,
            }
            if outcome.event_id is not None:
                changes |= {"resolved_at": now, "resolved_event_id": outcome.event_id}
            else:
                changes |= {"error_class": outcome.error_class, "error_message": outcome.error_message}
            self.connection.execute(
                update(DEAD_LETTERS).where(DEAD_LETTERS.c.id == outcome.letter_id).values(**changes)
            )


class SqlCaseStore(CaseStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        try:
            with self.engine.begin() as connection:
                yield SqlTransaction(connection)
        except Exception as exc:
            raise store_error(exc, self.engine) from exc

    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        query = select(OFFSETS.c.topic, OFFSETS.c.partition, OFFSETS.c.next_offset).where(
            OFFSETS.c.consumer_group == group
        )
        with self.engine.connect() as connection:
            return {(topic, partition): offset for topic, partition, offset in connection.execute(query)}

    def dead_letters(
        self, *, pending_only: bool = True, ids: Sequence[int] | None = None
    ) -> list[StoredDeadLetter]:
        query = select(DEAD_LETTERS).order_by(DEAD_LETTERS.c.id)
        if pending_only:
            query = query.where(DEAD_LETTERS.c.resolved_at.is_(None))
        if ids is not None:
            query = query.where(DEAD_LETTERS.c.id.in_(list(ids)))
        with self.engine.connect() as connection:
            return [_stored_dead_letter(row._mapping) for row in connection.execute(query)]


def _stored_dead_letter(row: Any) -> StoredDeadLetter:
    letter = DeadLetter(**{name: row[name] for name in DeadLetter.__dataclass_fields__})
    return StoredDeadLetter(row["id"], letter, row["replay_attempts"], row["resolved_event_id"])


@dataclass(frozen=True)
class _Marks:
    read: frozenset[str]
    """The case ids whose marks were read under their locks."""
    restricted: set[str]
    """Those of them that are restricted (this transaction's own new marks included)."""


def _with_search_text(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL keeps the folded id, title and goods as the writer gives them (migration 0015: the
    database's own fold cost ~70 µs a row); SQLite computes its generated column itself."""
    if connection.dialect.name != "postgresql":
        return
    for row in rows:
        row["search_text"] = search_text(row["case_id"], row["title"], row["goods"])


def _case_state(row: Any) -> CaseState:
    """The stored case as its record (built without the frozen dataclass's field-by-field __init__)."""
    return built(CaseState, {name: row[name] for name in _CASE_FIELDS})


_CASE_FIELDS = tuple(CaseState.__dataclass_fields__)
_EVENT_FIELDS = tuple(StoredEvent.__dataclass_fields__)


def _stored_event(row: Any) -> StoredEvent:
    """A log row (its columns in the record's field order, `_EVENT_COLUMNS`) as its record."""
    return built(StoredEvent, dict(zip(_EVENT_FIELDS, row, strict=True)))


def store_error(exc: Exception, engine: Engine) -> Exception:
    """A database error becomes an outage to wait out or a refusal of the records; others pass as they are."""
    if not is_database_error(exc):
        return exc
    if is_outage(exc):
        return StoreUnavailable(f"store {engine.url.render_as_string()} unavailable: {first_line(exc)}")
    return StoreRejected(f"write refused: {type(exc).__name__}: {first_line(exc)}")


def _begin_sqlite(connection: Connection) -> None:
    """pysqlite opens a transaction only before DML, and a SAVEPOINT outside one would start (and its
    RELEASE commit) a transaction of its own: make sure the batch's transaction is open first."""
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")
