"""TEST-ONLY event type, standing in for the two source files a real new type adds: its model (in
schemas/payloads.py, next to the others) and its entry (consumers/event_types/warning_issued.py).

A warning (phạt cảnh cáo) is a sanction decided instead of a fine; the case reaches "penalized" with
nothing added to its fines. Its schema is warning_issued.avsc beside this file.
"""

from __future__ import annotations

from typing import ClassVar

from consumers.event_types.entry import EventType, no_rows
from schemas.payloads import LegalBasis, Payload
from schemas.shapes import Identifier, SubjectId, Text


class WarningIssued(Payload):
    event_type: ClassVar[str] = "WarningIssued"

    decision_number: Identifier
    violator_name: Text | None = None
    subject_id: SubjectId | None = None
    legal_basis: LegalBasis | None = None


ENTRY = EventType(
    payload=WarningIssued,
    label=("Phạt cảnh cáo", "Warning issued"),
    summary=("decision_number", "violator_name", "legal_basis"),
    rows=no_rows,
    owner_only=frozenset(),
    stage="penalized",
)
