"""Frozen pydantic models mirroring the Avro case-event schemas (a test keeps them in agreement)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1


def _utc_millis(value: datetime) -> datetime:
    """Avro timestamp-millis keeps milliseconds in UTC; make the model hold exactly that."""
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone")
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


UtcMillis = Annotated[datetime, AfterValidator(_utc_millis)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DistributionLevel(StrEnum):
    ALL_AGENCIES = "ALL_AGENCIES"
    LISTED_AGENCIES = "LISTED_AGENCIES"
    OWNER_ONLY = "OWNER_ONLY"


class CaseSource(StrEnum):
    PATROL = "PATROL"
    HOTLINE_TIP = "HOTLINE_TIP"
    PLATFORM_REPORT = "PLATFORM_REPORT"
    REFERRAL = "REFERRAL"
    CONTROL_PLAN = "CONTROL_PLAN"
    UNKNOWN = "UNKNOWN"


class SalesChannel(StrEnum):
    MARKETPLACE = "MARKETPLACE"
    SOCIAL_NETWORK = "SOCIAL_NETWORK"
    WEBSITE = "WEBSITE"
    LIVESTREAM = "LIVESTREAM"
    OFFLINE = "OFFLINE"
    UNKNOWN = "UNKNOWN"


class Distribution(Frozen):
    """Who may see an event: every agency, the listed ones, or the owner only."""

    level: DistributionLevel = DistributionLevel.OWNER_ONLY
    agencies: tuple[str, ...] = ()
    handling: str | None = None


class Payload(Frozen):
    """Base of every event payload; `event_type` is the Avro record name."""

    event_type: ClassVar[str]


class CaseOpened(Payload):
    event_type: ClassVar[str] = "CaseOpened"

    title: str = Field(min_length=1)
    source: CaseSource = CaseSource.UNKNOWN
    channel: SalesChannel = SalesChannel.UNKNOWN
    platform: str | None = None
    goods: str
    province_code: str = Field(pattern=r"^\d{2}$")
    category: str = Field(min_length=1)


class PenaltyDecided(Payload):
    event_type: ClassVar[str] = "PenaltyDecided"

    decision_number: str = Field(min_length=1)
    fine_vnd: int = Field(ge=0, description="Fine in Vietnamese dong, a whole number.")
    violator_name: str | None = None
    additional_measures: tuple[str, ...] = ()


PAYLOAD_TYPES: dict[str, type[Payload]] = {cls.event_type: cls for cls in (CaseOpened, PenaltyDecided)}
AnyPayload = CaseOpened | PenaltyDecided


class CaseEvent(Frozen):
    """The envelope every agency publishes: who, when, which case, who may see it, and what happened."""

    event_id: uuid.UUID
    event_type: str
    case_id: str = Field(min_length=1, max_length=64)
    agency: str = Field(pattern=r"^[a-z][a-z0-9]{1,15}$")
    reporting_unit: str
    occurred_at: UtcMillis
    recorded_at: UtcMillis
    producer: str
    schema_version: int = SCHEMA_VERSION
    distribution: Distribution = Distribution()
    embargo_until: UtcMillis | None = None
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
    def _event_type_matches_payload(self) -> CaseEvent:
        if self.event_type != self.payload.event_type:
            raise ValueError(f"event_type {self.event_type} does not match payload {self.payload.event_type}")
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
        payload=payload,
    )
