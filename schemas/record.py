"""Base of the pydantic models that mirror Avro records: frozen, strict about fields, UTC milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from schemas.bounds import check_date


def _utc_millis(value: datetime) -> datetime:
    """Avro timestamp-millis keeps milliseconds in UTC; make the model hold exactly that."""
    if value.tzinfo is UTC and not value.microsecond % 1000:
        return check_date(value)  # what a decoder gives: already exact (converting it costs ~1 µs)
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone")
    value = value.astimezone(UTC)
    return check_date(value.replace(microsecond=value.microsecond // 1000 * 1000))


UtcMillis = Annotated[datetime, AfterValidator(_utc_millis)]


class Frozen(BaseModel):
    """An immutable value: events are facts, so nothing may change them after validation."""

    model_config = ConfigDict(frozen=True, extra="forbid")
