"""SubjectIdentified: a seller behind a case, observed with the identifiers that link it across agencies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consumers.event_types.columns import event_columns
from consumers.event_types.entry import EventType
from consumers.records import ProjectionRow, StoredEvent
from schemas.normalisation.identifier_keys import IDENTIFIER_KINDS, stored_keys
from schemas.payloads import SubjectIdentified

IDENTIFIER_FIELDS = tuple(kind for kind in IDENTIFIER_KINDS if kind != "shop_id")
"""The payload fields kept as they are; a shop id is kept qualified by its platform."""


def identifiers_of(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) pairs a SubjectIdentified payload carries; a shop id is qualified by its platform.

    Over the payload as the log stores it, because the read side matches stored payloads with it too.
    """
    found = [(kind, str(payload[kind]).strip()) for kind in IDENTIFIER_FIELDS if payload.get(kind)]
    if payload.get("shop_id"):
        found.append(("shop_id", f"{payload.get('platform') or '?'}:{payload['shop_id']}"))
    return found


def identifier_row(subject_id: str, kind: str, value: str) -> dict[str, str | None]:
    """A subject_identifiers row: the identifier as published, with the keys the seller search finds it
    by (schemas/normalisation/identifier_keys.py)."""
    match_key, loose_key = stored_keys(kind, value)
    return {
        "subject_id": subject_id,
        "kind": kind,
        "value": value,
        "match_key": match_key,
        "loose_key": loose_key,
    }


def _rows(event: StoredEvent, subject: SubjectIdentified) -> list[ProjectionRow]:
    observation = {
        "subject_id": subject.subject_id,
        "kind": subject.kind.value,
        "role": subject.role.value,
        "display_name": subject.display_name,
        "platform": subject.platform,
        "province_code": subject.province_code,
    }
    identifiers = [
        ProjectionRow("subject_identifiers", identifier_row(subject.subject_id, kind, value))
        for kind, value in identifiers_of(event.payload)  # the stored form, as the read side matches it
    ]
    return [ProjectionRow("subject_observations", {**event_columns(event), **observation}), *identifiers]


ENTRY = EventType(
    payload=SubjectIdentified,
    label=("Xác định đối tượng", "Subject identified"),
    summary=("display_name", "kind", "platform", "shop_url", "phone", "tax_code", "address"),
    rows=_rows,
    owner_only=frozenset(),
    observed_subject=lambda subject: subject.subject_id,
)
