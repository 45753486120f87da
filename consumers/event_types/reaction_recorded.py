"""ReactionRecorded: another agency's follow-up on a case it does not own."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import ReactionRecorded


def _rows(event: StoredEvent, reaction: ReactionRecorded) -> list[ProjectionRow]:
    refers_to = reaction.refers_to_event_id
    values = {
        "reacting_agency": reaction.reacting_agency,
        "kind": reaction.kind.value,
        "note": reaction.note,
        "refers_to_event_id": str(refers_to) if refers_to is not None else None,
    }
    return [ProjectionRow("reactions", {**event_columns(event), **values})]


ENTRY = EventType(
    payload=ReactionRecorded,
    label=("Phản hồi của cơ quan khác", "Another agency's reaction"),
    summary=("reacting_agency", "kind", "note", "own_case_id"),
    rows=_rows,
    owner_only=frozenset(),
)
