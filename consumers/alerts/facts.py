"""What the alert rules judge: facts read from the shared store, each with its source event's distribution
and embargo, so the rules can tell every recipient only what it may see (consumers.visibility.can_see).
The store reads them (consumers.ports.alert_store); the rules never see a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

OPEN_STATUSES = frozenset({"open", "inspected", "violation_confirmed", "penalized", "referred"})


@dataclass(frozen=True)
class Source:
    """Who published a fact and who may see it."""

    agency: str
    event_id: str
    occurred_at: datetime
    distribution: dict[str, Any]
    embargo_until: datetime | None


@dataclass(frozen=True)
class CaseFact:
    case_id: str
    owner: str | None
    status: str
    category: str | None
    province: str | None
    opened_at: datetime
    restricted: bool
    """Some event of the case is not shared with every agency."""

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class CaseLink:
    """A subject of a seller entity recorded in a case (a SubjectIdentified event)."""

    entity_id: str
    subject_id: str
    case_id: str
    source: Source


@dataclass(frozen=True)
class ViolationFact:
    case_id: str
    subject_id: str | None
    source: Source


@dataclass(frozen=True)
class ReferralFact:
    case_id: str
    to_agency: str
    source: Source


@dataclass(frozen=True)
class CaseActivity:
    """An agency acting on a case: any event it published there, or a reaction it recorded."""

    case_id: str
    agency: str
    occurred_at: datetime
    refers_to_event_id: str | None


@dataclass(frozen=True)
class EntityKey:
    entity_id: str
    subject_id: str
    kind: str
    value: str


@dataclass(frozen=True)
class AlertFacts:
    cases: dict[str, CaseFact]
    links: list[CaseLink]
    keys: list[EntityKey]
    entity_of: dict[str, str]
    violations: list[ViolationFact]
    referrals: list[ReferralFact]
    activity: list[CaseActivity]
