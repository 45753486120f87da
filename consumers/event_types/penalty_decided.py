"""PenaltyDecided: an administrative penalty decision; its fine adds to the case's total."""

from __future__ import annotations

from consumers.event_types.columns import basis_columns, event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import PenaltyDecided


def _rows(event: StoredEvent, penalty: PenaltyDecided) -> list[ProjectionRow]:
    values = {
        "decision_number": penalty.decision_number,
        "fine_vnd": penalty.fine_vnd,
        "subject_id": penalty.subject_id,
    }
    return [
        ProjectionRow("penalties", {**event_columns(event), **values, **basis_columns(penalty.legal_basis)})
    ]


ENTRY = EventType(
    payload=PenaltyDecided,
    label=("Quyết định xử phạt", "Penalty decided"),
    summary=("fine_vnd", "decision_number", "violator_name", "legal_basis"),
    rows=_rows,
    owner_only=frozenset(),
    stage="penalized",
    fine_vnd=lambda penalty: penalty.fine_vnd,
)
