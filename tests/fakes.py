"""In-memory fakes that subclass the real interfaces, for unit tests of the materializer."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from consumers.alerts.facts import AlertFacts
from consumers.event_content import CHANGED_DUPLICATE, same_content
from consumers.ports.alert_store import AlertStore
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
)
from consumers.source import DeadLetterSink, InboundRecord, RecordSource
from consumers.store_errors import EventsRejected, StoreRejected
from schemas.alerts import Alert
from services.store.sql_store import PROJECTIONS
from tests.store_outages import StoreOutages


@dataclass
class MemoryState:
    events: dict[str, StoredEvent] = field(default_factory=dict)
    cases: dict[str, CaseState] = field(default_factory=dict)
    dead_letters: dict[tuple[str, str, int, int], DeadLetter] = field(default_factory=dict)
    offsets: dict[tuple[str, str, int], int] = field(default_factory=dict)
    rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(default_factory=dict)
    subjects: dict[str, SubjectState] = field(default_factory=dict)
    audience_views: dict[str, AudienceViews] = field(default_factory=dict)
    dead_letters_by_id: dict[int, StoredDeadLetter] = field(default_factory=dict)


class MemoryTransaction(StoreTransaction):
    def __init__(
        self, state: MemoryState, refuse: Callable[[StoredEvent], str | None] = lambda _e: None
    ) -> None:
        self.state = state
        self.refuse = refuse

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = copy.deepcopy(self.state)
        try:
            yield
        except Exception:
            self.state.__dict__.update(saved.__dict__)
            raise

    def add_events(self, events: Sequence[StoredEvent]) -> list[StoredEvent]:
        new: dict[str, StoredEvent] = {}
        changed: dict[str, str] = {}
        for event in events:
            if (reason := self.refuse(event)) is not None:
                raise StoreRejected(f"write refused: {reason}")
            stored = self.state.events.get(event.event_id) or new.get(event.event_id)
            if stored is None:
                new[event.event_id] = event
            elif not same_content(stored, event):
                changed[event.event_id] = CHANGED_DUPLICATE
        if changed:
            raise EventsRejected(changed)
        self.state.events.update(new)
        return sorted(new.values(), key=lambda e: e.event_id)

    def lock_cases(self, case_ids: Iterable[str]) -> dict[str, CaseState]:
        return {case_id: self.state.cases[case_id] for case_id in case_ids if case_id in self.state.cases}

    def lock_subjects(self, subject_ids: Iterable[str]) -> None:
        return None

    def restricted_case_ids(self, case_ids: Iterable[str]) -> set[str]:
        return set(case_ids) & set(self.state.audience_views)

    def put_audience_views(self, views: Sequence[AudienceViews]) -> None:
        self.state.audience_views.update({v.case_id: v for v in views})

    def events_of_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        wanted = set(case_ids)
        found: dict[str, list[StoredEvent]] = {}
        for event in self.state.events.values():
            if event.case_id in wanted:
                found.setdefault(event.case_id, []).append(event)
        return found

    def put_cases(self, cases: Sequence[CaseState]) -> None:
        self.state.cases.update({case.case_id: case for case in cases})

    def add_rows(self, rows: Sequence[ProjectionRow]) -> None:
        for row in rows:
            keys = [c.name for c in PROJECTIONS[row.table].primary_key.columns]
            self.state.rows.setdefault(row.table, {}).setdefault(
                tuple(row.values[k] for k in keys), row.values
            )

    def observations_of_subjects(self, subject_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        wanted = set(subject_ids)
        found: dict[str, list[dict[str, Any]]] = {}
        for values in self.state.rows.get("subject_observations", {}).values():
            if values["subject_id"] in wanted:
                found.setdefault(values["subject_id"], []).append(values)
        return found

    def put_subjects(self, subjects: Sequence[SubjectState]) -> None:
        self.state.subjects.update({subject.subject_id: subject for subject in subjects})

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            key = (letter.consumer_group, letter.topic, letter.partition, letter.offset)
            if key not in self.state.dead_letters:
                self.state.dead_letters[key] = letter
                letter_id = len(self.state.dead_letters_by_id) + 1
                self.state.dead_letters_by_id[letter_id] = StoredDeadLetter(letter_id, letter)

    def record_replays(self, outcomes: Sequence[ReplayOutcome]) -> None:
        for outcome in outcomes:
            stored = self.state.dead_letters_by_id[outcome.letter_id]
            letter = stored.letter
            if outcome.event_id is None:
                letter = replace(
                    letter, error_class=outcome.error_class or "", error_message=outcome.error_message or ""
                )
            self.state.dead_letters_by_id[outcome.letter_id] = replace(
                stored,
                letter=letter,
                replay_attempts=stored.replay_attempts + 1,
                resolved_event_id=outcome.event_id,
            )

    def save_offsets(self, group: str, offsets: Sequence[TopicPartitionOffset]) -> None:
        for o in offsets:
            key = (group, o.topic, o.partition)
            self.state.offsets[key] = max(o.next_offset, self.state.offsets.get(key, 0))


class MemoryCaseStore(StoreOutages, CaseStore):
    """Transactions work on a copy that replaces the state only on success, like a real rollback."""

    def __init__(self, refuse: Callable[[StoredEvent], str | None] = lambda _e: None) -> None:
        """`refuse` plays a database constraint: the reason it refuses an event, or None."""
        self.state = MemoryState()
        self.refuse = refuse

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        self._outage()
        draft = copy.deepcopy(self.state)
        yield MemoryTransaction(draft, self.refuse)
        self.state = draft

    def stored_offsets(self, group: str) -> dict[tuple[str, int], int]:
        return {(t, p): o for (g, t, p), o in self.state.offsets.items() if g == group}

    def dead_letters(
        self, *, pending_only: bool = True, ids: Sequence[int] | None = None
    ) -> list[StoredDeadLetter]:
        return [
            stored
            for letter_id, stored in sorted(self.state.dead_letters_by_id.items())
            if (ids is None or letter_id in ids) and not (pending_only and stored.resolved_event_id)
        ]


class ListSource(RecordSource):
    """Hands out pre-made batches and remembers what was committed."""

    def __init__(self, batches: list[list[InboundRecord]]) -> None:
        self.batches = list(batches)
        self.commits: list[dict[tuple[str, int], int]] = []
        self.asked: list[int | None] = []
        """The `max_records` of each poll."""
        self.paused = False
        self.closed = False

    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        self.asked.append(max_records)
        return self.batches.pop(0) if self.batches else []

    def commit(self, next_offsets: Mapping[tuple[str, int], int]) -> None:
        self.commits.append(dict(next_offsets))

    def is_assigned(self) -> bool:
        return True

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def close(self) -> None:
        self.closed = True


class ListSink(DeadLetterSink):
    def __init__(self) -> None:
        self.published: list[DeadLetter] = []

    def publish(self, letters: Sequence[DeadLetter]) -> None:
        self.published.extend(letters)

    def close(self) -> None:
        pass


class MemoryAlertStore(AlertStore):
    """The alert-store port in memory: the facts it is given, and an outbox held in a dict."""

    def __init__(self, facts: AlertFacts | None = None) -> None:
        self.given = facts or AlertFacts({}, [], [], {}, [], [], [])
        self.alerts: dict[str, Alert] = {}
        self.published_at: dict[str, datetime] = {}

    def facts(self) -> AlertFacts:
        return self.given

    def add_alerts(self, alerts: Sequence[Alert]) -> list[str]:
        fresh = []
        for alert in alerts:
            key = str(alert.alert_id)
            if key not in self.alerts:
                self.alerts[key] = alert
                fresh.append(key)
        return fresh

    def unpublished(self, limit: int = 500) -> list[Alert]:
        waiting = [a for key, a in self.alerts.items() if key not in self.published_at]
        return sorted(waiting, key=lambda a: (a.raised_at, str(a.alert_id)))[:limit]

    def mark_published(self, alert_ids: Iterable[str], at: datetime) -> None:
        for key in alert_ids:
            if key in self.alerts:
                self.published_at[key] = at
