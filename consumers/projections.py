"""Projection rules: events → rows. Pure functions, so the same events give the same rows in any order."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.events import CaseEvent
from services.store.interface import StoreTransaction
from services.store.records import CaseState, StoredEvent

STATUS_AFTER: dict[str, str] = {"CaseOpened": "open", "PenaltyDecided": "penalized"}
STUB_STATUS = "stub"


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


def fold_case(case_id: str, events: Sequence[StoredEvent]) -> CaseState:
    """The shared case record from all its events, ordered by when they happened (then by id).

    Ordering by occurred_at rather than arrival makes the result independent of which agency's
    topic was read first; a case whose opening has not arrived yet is a stub that later events fill.
    """
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.event_id))
    opened = next((e for e in ordered if e.event_type == "CaseOpened"), None)
    status = STUB_STATUS
    if opened is not None:
        status = [STATUS_AFTER[e.event_type] for e in ordered if e.event_type in STATUS_AFTER][-1]
    details = opened.payload if opened is not None else {}
    return CaseState(
        case_id=case_id,
        status=status,
        title=details.get("title"),
        opened_by=opened.agency if opened is not None else None,
        agencies=tuple(sorted({e.agency for e in ordered})),
        province_code=details.get("province_code"),
        category=details.get("category"),
        channel=details.get("channel"),
        platform=details.get("platform"),
        goods=details.get("goods"),
        total_fines_vnd=sum(
            e.payload.get("fine_vnd", 0) for e in ordered if e.event_type == "PenaltyDecided"
        ),
        event_count=len(ordered),
        first_event_at=ordered[0].occurred_at,
        last_event_at=ordered[-1].occurred_at,
    )


def apply_events(tx: StoreTransaction, events: Sequence[StoredEvent]) -> None:
    """Append events to the log and refold every case they touch (idempotent by event id)."""
    tx.add_events(events)
    touched = {event.case_id for event in events}
    tx.put_cases([fold_case(case_id, evs) for case_id, evs in tx.events_of_cases(touched).items()])
