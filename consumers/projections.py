"""Projection rules: events → log rows, per-event rows, and refolded cases and subjects."""

from __future__ import annotations

from collections.abc import Sequence

from consumers.audience_views import audience_views, is_restricted
from consumers.case_fold import merge_reads
from consumers.clock import utcnow
from consumers.event_types.registry import EventRead
from consumers.ports.case_store import StoreTransaction
from consumers.records import ProjectionRow, StoredEvent, built
from schemas.avro_read_fast_path import FastDecoded
from schemas.events import CaseEvent


def stored_event(
    event: CaseEvent,
    topic: str,
    partition: int,
    offset: int,
    dumped: FastDecoded | None = None,
) -> StoredEvent:
    """The log row of a decoded event, remembering where it was read.

    `dumped`, when the fast decode accepted the event, already holds the JSON of its distribution,
    payload and id (what `model_dump(mode="json")` gives, tests/unit/test_avro_read_fast_path.py checks), so
    the models are not dumped again.
    """
    return built(
        StoredEvent,
        {
            "event_id": dumped.event_id if dumped else str(event.event_id),
            "case_id": event.case_id,
            "event_type": event.event_type,
            "agency": event.agency,
            "reporting_unit": event.reporting_unit,
            "occurred_at": event.occurred_at,
            "recorded_at": event.recorded_at,
            "producer": event.producer,
            "schema_version": event.schema_version,
            "distribution": dumped.distribution if dumped else event.distribution.model_dump(mode="json"),
            "embargo_until": event.embargo_until,
            "payload": dumped.payload if dumped else event.payload.model_dump(mode="json"),
            "source_topic": topic,
            "source_partition": partition,
            "source_offset": offset,
        },
    )


def apply_events(tx: StoreTransaction, events: Sequence[StoredEvent]) -> None:
    """Append events to the log; for those that were new, add per-event rows and merge them into their
    cases and subjects.

    Only events the log did not hold are merged (so duplicates count once), under row locks taken in one
    order (so concurrent consumers neither lose updates nor deadlock); folds commute, so any order of
    arrival across agencies gives the same store.
    """
    new = tx.add_events(events)
    if not new:
        return
    # One pass over the batch for what each event gives: its rows, its case, whether it is restricted,
    # the subject it observes (each payload validated at most once for all of them).
    rows: list[ProjectionRow] = []
    by_case: dict[str, list[EventRead]] = {}
    restricted: set[str] = set()
    touched_subjects: set[str] = set()
    for event in new:
        r = EventRead(event)
        rows += r.rows()
        if (reads := by_case.get(event.case_id)) is None:
            by_case[event.case_id] = [r]
        else:
            reads.append(r)
        if is_restricted(event):
            restricted.add(event.case_id)
        if (subject := r.observed_subject()) is not None:
            touched_subjects.add(subject)
    tx.add_rows(rows)
    existing = tx.lock_cases(by_case)
    tx.put_cases(
        [merge_reads(case_id, existing.get(case_id), reads) for case_id, reads in sorted(by_case.items())]
    )
    restricted |= tx.restricted_case_ids(by_case)
    if restricted:
        now = utcnow()
        histories = tx.events_of_cases(restricted)
        # the batch's reads of the restricted cases only: their histories are the only events looked up
        known = {r.event.event_id: r for case_id in restricted for r in by_case.get(case_id, ())}
        tx.put_audience_views(
            [audience_views(case_id, evs, now, known) for case_id, evs in sorted(histories.items())]
        )
    if touched_subjects:
        tx.lock_subjects(touched_subjects)
        tx.refold_subjects(touched_subjects)
