"""The columns every projection row shares, and the legal-basis columns several tables carry."""

from __future__ import annotations

from typing import Any

from consumers.records import StoredEvent
from schemas.payloads import LegalBasis


def event_columns(event: StoredEvent) -> dict[str, Any]:
    """Which event a row comes from, in which case, by which agency, when."""
    return {
        "event_id": event.event_id,
        "case_id": event.case_id,
        "agency": event.agency,
        "occurred_at": event.occurred_at,
    }


def basis_columns(basis: LegalBasis | None) -> dict[str, Any]:
    """A citation as three columns (empty when the event cites none)."""
    return {
        "instrument": basis.instrument if basis else None,
        "article": basis.article if basis else None,
        "clause": basis.clause if basis else None,
    }
