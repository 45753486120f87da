"""Projection rules: events → log rows, per-event rows, and refolded cases and subjects."""

from __future__ import annotations

from collections.abc import Sequence

from consumers.case_fold import fold_case
from consumers.event_rows import projection_rows
from consumers.subject_fold import fold_subject
from schemas.events import CaseEvent
from services.store.interface import StoreTransaction
from services.store.records import StoredEvent


def stored_event(event: CaseEvent, topic: str, partition: int, offset: int) -> StoredEvent:
    """The log row of a decoded event, remembering where it was read."""
    data = event.model_dump(mode="json", include={"distribution", "payload"})
    return StoredEvent(
        event_id=str(event.event_id),
        case_id=event.case_id,
        event_type=event.event_type,
        agency=event.agency,
        reporting_unit=event.reporting_unit,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        producer=event.producer,
        schema_version=event.schema_version,
        distribution=data["distribution"],
        embargo_until=event.embargo_until,
        payload=data["payload"],
        source_topic=topic,
        source_partition=partition,
        source_offset=offset,
    )


def apply_events(tx: StoreTransaction, events: Sequence[StoredEvent]) -> None:
    """Append events to the log, add their per-event rows, and refold every case and subject they touch.

    Everything is idempotent by event id, and folds read the full stored history, so replays, duplicates
    and any order of arrival across agencies give the same store.
    """
    tx.add_events(events)
    tx.add_rows([row for event in events for row in projection_rows(event)])
    touched_cases = {event.case_id for event in events}
    tx.put_cases([fold_case(case_id, evs) for case_id, evs in tx.events_of_cases(touched_cases).items()])
    touched_subjects = {e.payload["subject_id"] for e in events if e.event_type == "SubjectIdentified"}
    if touched_subjects:
        observed = tx.observations_of_subjects(touched_subjects)
        tx.put_subjects([fold_subject(subject_id, rows) for subject_id, rows in observed.items()])
