"""Which facts a subscription matches, as its subscriber may see them: cases from the subscriber's own
visible cases (`visible_cases`), sellers and identifiers from their visible observations (the dossier's
rule), alerts addressed to their agency, referrals to their agency. Nothing a subscriber could not open
can produce a notification."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, FromClause, select

from consumers.visibility import Viewer
from services.notify.subscriptions import Interest, Subscription
from services.store import entity_store
from services.store.queries.identifiers import candidate_subject_ids
from services.views.subjects import _carries, visible_observations

_COLUMN = {
    Interest.PROVINCE: "current_province_code",
    Interest.CATEGORY: "category",
    Interest.PLATFORM: "platform",
}


def entity_of(connection: Connection, seller: str) -> str:
    return entity_store.entities_of(connection, [seller]).get(seller, seller)


def matched_case_ids(
    connection: Connection, viewer: Viewer, cases: FromClause, sub: Subscription
) -> set[str]:
    """The subscriber's visible cases the subscription is about."""
    if sub.kind in _COLUMN:
        query = select(cases.c.case_id).where(cases.c[_COLUMN[sub.kind]] == sub.value)
        return set(connection.execute(query).scalars())
    if sub.kind is Interest.SELLER:
        entity = entity_of(connection, sub.value)
        members = set(entity_store.members_of(connection, [entity])) or {sub.value}
        observed = visible_observations(connection, viewer, cases, members)
        return {row["case_id"] for rows in observed.values() for row in rows}
    observed = visible_observations(connection, viewer, cases, candidate_subject_ids(connection, sub.value))
    return {
        row["case_id"] for rows in observed.values() for row in rows if _carries(row["payload"], sub.value)
    }


def alert_matches(alert: dict[str, Any], sub: Subscription, entity: str | None, case_ids: set[str]) -> bool:
    if entity is not None and alert.get("entity_id") == entity:
        return True
    return bool(set(alert.get("case_ids", ())) & case_ids)
