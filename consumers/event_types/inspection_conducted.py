"""InspectionConducted: an inspection of premises, a shop or listings, and its result."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import InspectionConducted


def _rows(event: StoredEvent, inspection: InspectionConducted) -> list[ProjectionRow]:
    values = {
        "kind": inspection.kind.value,
        "result": inspection.result.value,
        "province_code": inspection.province_code,
        "subject_id": inspection.subject_id,
    }
    return [ProjectionRow("inspections", {**event_columns(event), **values})]


ENTRY = EventType(
    payload=InspectionConducted,
    label=("Kiểm tra", "Inspection"),
    summary=("kind", "result", "record_number", "place"),
    rows=_rows,
    owner_only=frozenset(),
    stage="inspected",
)
