"""Per-event projection rows: what each event type adds to penalties, seizures, referrals, tips, ..."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.store.records import ProjectionRow, StoredEvent

RowsOf = Callable[[StoredEvent], list[ProjectionRow]]


def _base(event: StoredEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "case_id": event.case_id,
        "agency": event.agency,
        "occurred_at": event.occurred_at,
    }


def _basis(payload: dict[str, Any]) -> dict[str, Any]:
    basis = payload.get("legal_basis") or {}
    return {
        "instrument": basis.get("instrument"),
        "article": basis.get("article"),
        "clause": basis.get("clause"),
    }


def _penalty(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    values = {
        "decision_number": p["decision_number"],
        "fine_vnd": p["fine_vnd"],
        "subject_id": p.get("subject_id"),
    }
    return [ProjectionRow("penalties", {**_base(e), **values, **_basis(p)})]


def _seizure(e: StoredEvent) -> list[ProjectionRow]:
    handling = e.payload.get("handling", "UNKNOWN")
    return [
        ProjectionRow(
            "seizures",
            {
                **_base(e),
                "item_no": number,
                "description": item["description"],
                "quantity": item["quantity"],
                "unit": item["unit"],
                "value_vnd": item.get("value_vnd"),
                "handling": handling,
            },
        )
        for number, item in enumerate(e.payload["items"], start=1)
    ]


def _violation(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    return [
        ProjectionRow(
            "violations",
            {**_base(e), "category": p["category"], "subject_id": p.get("subject_id"), **_basis(p)},
        )
    ]


def _inspection(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    values = {
        "kind": p["kind"],
        "result": p["result"],
        "province_code": p.get("province_code"),
        "subject_id": p.get("subject_id"),
    }
    return [ProjectionRow("inspections", {**_base(e), **values})]


def _referral(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    values = {
        "to_agency": p["to_agency"],
        "kind": p["kind"],
        "reason": p["reason"],
        "document_number": p.get("document_number"),
    }
    return [ProjectionRow("referrals", {**_base(e), **values})]


def _reaction(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    values = {
        "reacting_agency": p["reacting_agency"],
        "kind": p["kind"],
        "note": p.get("note"),
        "refers_to_event_id": p.get("refers_to_event_id"),
    }
    return [ProjectionRow("reactions", {**_base(e), **values})]


def _takedown(stage: str) -> RowsOf:
    def rows(e: StoredEvent) -> list[ProjectionRow]:
        p = e.payload
        values = {
            "stage": stage,
            "platform": p["platform"],
            "request_reference": p["request_reference"],
            "listing_urls": list(p["listing_urls"]),
            "outcome": p.get("outcome"),
        }
        return [ProjectionRow("takedowns", {**_base(e), **values})]

    return rows


def _tip(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    values = {
        "received_via": p["received_via"],
        "platform": p.get("platform"),
        "province_code": p.get("province_code"),
        "suspected_category": p.get("suspected_category"),
    }
    return [ProjectionRow("tips", {**_base(e), **values})]


def _subject(e: StoredEvent) -> list[ProjectionRow]:
    p = e.payload
    observation = {
        "subject_id": p["subject_id"],
        "kind": p["kind"],
        "role": p["role"],
        "display_name": p.get("display_name"),
        "platform": p.get("platform"),
        "province_code": p.get("province_code"),
    }
    identifiers = [
        ProjectionRow(
            "subject_identifiers",
            {"subject_id": p["subject_id"], "kind": kind, "value": value},
        )
        for kind, value in identifiers_of(p)
    ]
    return [ProjectionRow("subject_observations", {**_base(e), **observation}), *identifiers]


IDENTIFIER_FIELDS = (
    "phone",
    "email",
    "tax_code",
    "shop_url",
    "national_id_hash",
    "bank_account_hash",
    "address",
)


def identifiers_of(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) pairs a SubjectIdentified payload carries; a shop id is qualified by its platform."""
    found = [(kind, str(payload[kind]).strip()) for kind in IDENTIFIER_FIELDS if payload.get(kind)]
    if payload.get("shop_id"):
        found.append(("shop_id", f"{payload.get('platform') or '?'}:{payload['shop_id']}"))
    return found


ROWS_OF: dict[str, RowsOf] = {
    "PenaltyDecided": _penalty,
    "GoodsSeized": _seizure,
    "ViolationConfirmed": _violation,
    "InspectionConducted": _inspection,
    "CaseReferred": _referral,
    "ReactionRecorded": _reaction,
    "TakedownRequested": _takedown("requested"),
    "TakedownCompleted": _takedown("completed"),
    "TipReceived": _tip,
    "SubjectIdentified": _subject,
}


def projection_rows(event: StoredEvent) -> list[ProjectionRow]:
    rows_of = ROWS_OF.get(event.event_type)
    return rows_of(event) if rows_of is not None else []
