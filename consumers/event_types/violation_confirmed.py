"""ViolationConfirmed: a violation is established with its category and legal basis."""

from __future__ import annotations

from consumers.event_types.columns import basis_columns, event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import ViolationConfirmed


def _rows(event: StoredEvent, violation: ViolationConfirmed) -> list[ProjectionRow]:
    values = {"category": violation.category, "subject_id": violation.subject_id}
    return [
        ProjectionRow(
            "violations", {**event_columns(event), **values, **basis_columns(violation.legal_basis)}
        )
    ]


ENTRY = EventType(
    payload=ViolationConfirmed,
    label=("Xác định vi phạm", "Violation confirmed"),
    summary=("category", "legal_basis", "record_number", "description"),
    rows=_rows,
    owner_only=frozenset(),
    stage="violation_confirmed",
    stated_value_vnd=lambda violation: violation.goods_value_vnd or 0,
)
