"""CaseReferred: the case is passed to another agency (e.g. to the police for prosecution)."""

from __future__ import annotations

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import CaseReferred


def _rows(event: StoredEvent, referral: CaseReferred) -> list[ProjectionRow]:
    values = {
        "to_agency": referral.to_agency,
        "kind": referral.kind.value,
        "reason": referral.reason,
        "document_number": referral.document_number,
    }
    return [ProjectionRow("referrals", {**event_columns(event), **values})]


ENTRY = EventType(
    payload=CaseReferred,
    label=("Chuyển hồ sơ", "Case referred"),
    summary=("to_agency", "to_unit", "kind", "reason", "document_number"),
    rows=_rows,
    owner_only=frozenset(),
    stage="referred",
)
