"""The case-event envelope mirroring case_event.v2.avsc; payload records live in schemas/payloads.py.

Everything a producer needs is importable from here (a test keeps the models and the .avsc in agreement).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, model_validator

from schemas.payloads import (
    PAYLOAD_TYPES,
    AnyPayload,
    CaseClosed,
    CaseOpened,
    CaseReferred,
    GoodsSeized,
    InspectionConducted,
    LegalBasis,
    Payload,
    PenaltyDecided,
    ReactionRecorded,
    SeizedItem,
    SubjectIdentified,
    TakedownCompleted,
    TakedownRequested,
    TipReceived,
    ViolationConfirmed,
)
from schemas.record import Frozen, UtcMillis
from schemas.shapes import AgencyCode, CaseId, Identifier, Text
from schemas.unknown import UnknownValue, unknown_path_problem
from schemas.vocabulary import (
    CaseOutcome,
    CaseSource,
    DistributionLevel,
    GoodsHandling,
    InspectionKind,
    InspectionResult,
    ReactionKind,
    ReferralKind,
    SalesChannel,
    SubjectKind,
    SubjectRole,
    TakedownOutcome,
    TipChannel,
    UnknownReason,
)

SCHEMA_VERSION = 2

__all__ = [
    "PAYLOAD_TYPES",
    "SCHEMA_VERSION",
    "AnyPayload",
    "CaseClosed",
    "CaseEvent",
    "CaseOpened",
    "CaseOutcome",
    "CaseReferred",
    "CaseSource",
    "Distribution",
    "DistributionLevel",
    "Frozen",
    "GoodsHandling",
    "GoodsSeized",
    "InspectionConducted",
    "InspectionKind",
    "InspectionResult",
    "LegalBasis",
    "Payload",
    "PenaltyDecided",
    "ReactionKind",
    "ReactionRecorded",
    "ReferralKind",
    "SalesChannel",
    "SeizedItem",
    "SubjectIdentified",
    "SubjectKind",
    "SubjectRole",
    "TakedownCompleted",
    "TakedownOutcome",
    "TakedownRequested",
    "TipChannel",
    "TipReceived",
    "UnknownReason",
    "UnknownValue",
    "UtcMillis",
    "ViolationConfirmed",
    "new_event",
]


class Distribution(Frozen):
    """Who may see an event: every agency, the listed ones, or the owner only; plus a handling code."""

    level: DistributionLevel = DistributionLevel.OWNER_ONLY
    agencies: tuple[AgencyCode, ...] = ()
    handling: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]{1,39}$")

    @model_validator(mode="after")
    def _listed_means_a_list(self) -> Distribution:
        if self.level == DistributionLevel.LISTED_AGENCIES and not self.agencies:
            raise ValueError("level LISTED_AGENCIES needs at least one agency")
        return self


class CaseEvent(Frozen):
    """The envelope every agency publishes: who, when, which case, who may see it, and what happened."""

    event_id: uuid.UUID
    event_type: str
    case_id: CaseId
    agency: AgencyCode
    reporting_unit: Text
    occurred_at: UtcMillis
    recorded_at: UtcMillis
    producer: Text
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    distribution: Distribution = Distribution()
    embargo_until: UtcMillis | None = None
    agency_case_ref: Identifier | None = Field(default=None, max_length=64)
    unknown: tuple[UnknownValue, ...] = ()
    payload: AnyPayload

    @model_validator(mode="before")
    @classmethod
    def _payload_by_event_type(cls, data: Any) -> Any:
        """Pick the payload class named by event_type (or set event_type from a payload object)."""
        if not isinstance(data, dict):
            return data
        payload = data.get("payload")
        if isinstance(payload, Payload):
            return {**data, "event_type": data.get("event_type", payload.event_type)}
        payload_type = PAYLOAD_TYPES.get(str(data.get("event_type")))
        if payload_type is None:
            raise ValueError(f"unknown event_type {data.get('event_type')!r}")
        if isinstance(payload, dict):
            return {**data, "payload": payload_type.model_validate(payload)}
        return data

    @model_validator(mode="after")
    def _envelope_agrees_with_payload(self) -> CaseEvent:
        if self.event_type != self.payload.event_type:
            raise ValueError(f"event_type {self.event_type} does not match payload {self.payload.event_type}")
        if self.embargo_until is not None and self.embargo_until < self.occurred_at:
            raise ValueError("embargo_until is before occurred_at")
        if not self.unknown:  # nearly every event: spare building the lists below
            return self
        paths = [entry.path for entry in self.unknown]
        if len(set(paths)) != len(paths):
            raise ValueError("unknown names the same path twice")
        for path in paths:
            problem = unknown_path_problem(self.payload, path)
            if problem is not None:
                raise ValueError(problem)
        return self


def new_event(
    *,
    case_id: str,
    agency: str,
    reporting_unit: str,
    payload: AnyPayload,
    occurred_at: datetime,
    producer: str,
    distribution: Distribution | None = None,
    event_id: uuid.UUID | None = None,
    recorded_at: datetime | None = None,
    embargo_until: datetime | None = None,
    agency_case_ref: str | None = None,
    unknown: tuple[UnknownValue, ...] = (),
) -> CaseEvent:
    """Build an envelope around a payload with a fresh id and the current time as recorded_at."""
    return CaseEvent(
        event_id=event_id or uuid.uuid4(),
        event_type=payload.event_type,
        case_id=case_id,
        agency=agency,
        reporting_unit=reporting_unit,
        occurred_at=occurred_at,
        recorded_at=recorded_at or datetime.now(UTC),
        producer=producer,
        distribution=distribution or Distribution(),
        embargo_until=embargo_until,
        agency_case_ref=agency_case_ref,
        unknown=unknown,
        payload=payload,
    )
