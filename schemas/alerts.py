"""The Alert record of alert.v1.avsc: an early warning with who must be told and the evidence."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field

from schemas.events import Distribution
from schemas.record import Frozen, UtcMillis
from schemas.shapes import AgencyCode

ALERT_RECORD = "vn.casehub.Alert"
ALERT_NAMESPACE = uuid.UUID("6f0d4c1e-3b2a-5d8e-9c71-389a1e47c0de")


class AlertRule(StrEnum):
    UNKNOWN = "UNKNOWN"
    OVERLAP = "OVERLAP"
    REPEAT_OFFENDER = "REPEAT_OFFENDER"
    SPIKE = "SPIKE"
    REFERRAL_OVERDUE = "REFERRAL_OVERDUE"


class EvidenceIdentifier(Frozen):
    kind: str
    value: str


class AlertEvidence(Frozen):
    event_ids: tuple[str, ...] = ()
    identifiers: tuple[EvidenceIdentifier, ...] = ()
    counts: dict[str, int] = Field(default_factory=dict)
    hidden_holders: tuple[AgencyCode, ...] = ()


class Alert(Frozen):
    alert_id: uuid.UUID
    rule: AlertRule = AlertRule.UNKNOWN
    key: str
    summary: str
    entity_id: str | None = None
    case_ids: tuple[str, ...] = ()
    agencies: tuple[AgencyCode, ...]
    evidence: AlertEvidence
    triggered_at: UtcMillis
    raised_at: UtcMillis
    distribution: Distribution
    producer: str = "casehub-alerts"


def alert_id(rule: AlertRule, key: str) -> uuid.UUID:
    """Deterministic: the same finding raised twice (a rerun, a rebuild, two processes) is one alert."""
    return uuid.uuid5(ALERT_NAMESPACE, f"{rule.value}|{key}")
