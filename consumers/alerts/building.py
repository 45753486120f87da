"""Alert records from a rule's finding: deterministic id, evidence, who may read it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from schemas.alerts import Alert, AlertEvidence, AlertRule, EvidenceIdentifier, alert_id
from schemas.events import Distribution, DistributionLevel


def new_alert(
    rule: AlertRule,
    key: str,
    summary: str,
    *,
    agencies: Iterable[str],
    triggered_at: datetime,
    raised_at: datetime,
    entity_id: str | None = None,
    case_ids: Iterable[str] = (),
    event_ids: Iterable[str] = (),
    identifiers: Iterable[tuple[str, str]] = (),
    counts: dict[str, int] | None = None,
    hidden_holders: Iterable[str] = (),
    shared_with_all: bool = False,
) -> Alert:
    """An alert addressed to `agencies`; readable by them only unless `shared_with_all` (aggregates)."""
    told = tuple(sorted(set(agencies)))
    level = DistributionLevel.ALL_AGENCIES if shared_with_all else DistributionLevel.LISTED_AGENCIES
    return Alert(
        alert_id=alert_id(rule, key),
        rule=rule,
        key=key,
        summary=summary,
        entity_id=entity_id,
        case_ids=tuple(sorted(set(case_ids))),
        agencies=told,
        evidence=AlertEvidence(
            event_ids=tuple(sorted(set(event_ids))),
            identifiers=tuple(EvidenceIdentifier(kind=k, value=v) for k, v in sorted(set(identifiers))),
            counts=dict(sorted((counts or {}).items())),
            hidden_holders=tuple(sorted(set(hidden_holders))),
        ),
        triggered_at=triggered_at,
        raised_at=raised_at,
        distribution=Distribution(level=level, agencies=() if shared_with_all else told),
    )


def opaque(value: str) -> str:
    """A stable token for a value that must not be disclosed in an alert's key (a hidden case id)."""
    return hashlib.sha256(value.encode()).hexdigest()[:12]
