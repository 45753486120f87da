"""Plain data passed between the materializer and the store (no ORM, no Kafka)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

Record = TypeVar("Record")


def built(cls: type[Record], values: dict[str, Any]) -> Record:
    """A frozen record from `values`, one for each of its fields, already of their types.

    Why not `cls(**values)`: a frozen dataclass's `__init__` sets each field through
    `object.__setattr__`, ~8× one dict update, and the materializer builds a few of these per event (the
    log row, each refolded case). The record is the same (`==`, `hash`, `repr` read the same fields);
    these classes have no `__post_init__` to skip. tests/unit/test_record_building.py compares the two.
    """
    record: Record = object.__new__(cls)
    record.__dict__.update(values)
    return record


def replaced(record: Record, changes: dict[str, Any]) -> Record:
    """`dataclasses.replace(record, **changes)` for a frozen record, without its `__init__` (see `built`)."""
    copy: Record = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    copy.__dict__.update(changes)
    return copy


@dataclass(frozen=True)
class StoredEvent:
    """An event as the log table holds it, plus where it was read from."""

    event_id: str
    case_id: str
    event_type: str
    agency: str
    reporting_unit: str
    occurred_at: datetime
    recorded_at: datetime
    producer: str
    schema_version: int
    distribution: dict[str, Any]
    embargo_until: datetime | None
    payload: dict[str, Any]
    source_topic: str = ""
    source_partition: int = -1
    source_offset: int = -1


@dataclass(frozen=True)
class CaseState:
    """The folded shared record of one case, with the keys its incremental fold needs."""

    case_id: str
    status: str
    stage: str
    title: str | None
    opened_by: str | None
    opened_at: datetime | None
    origin_event_id: str | None
    origin_event_type: str | None
    agencies: tuple[str, ...]
    province_code: str | None
    current_province_code: str | None
    category: str | None
    bucket: str | None
    channel: str | None
    platform: str | None
    goods: str | None
    total_fines_vnd: int
    goods_value_vnd: int
    outcome: str | None
    closed_at: datetime | None
    closing_event_id: str | None
    event_count: int
    first_event_at: datetime
    last_event_at: datetime


@dataclass(frozen=True)
class AudienceViews:
    """A restricted case as each audience sees it, exact until `valid_until` (an embargo's end)."""

    case_id: str
    views: tuple[tuple[str, CaseState], ...]
    valid_until: datetime | None


@dataclass(frozen=True)
class SubjectState:
    """The folded shared record of one subject (seller) across agencies and cases."""

    subject_id: str
    kind: str
    display_name: str | None
    platforms: tuple[str, ...]
    agencies: tuple[str, ...]
    case_count: int
    first_seen_at: datetime
    last_seen_at: datetime


class ProjectionRow(NamedTuple):
    """One row for a per-event projection table (penalties, seizures, ...), written insert-or-ignore.

    A named tuple, not a frozen dataclass: a few are built per event, and a tuple costs half as much.
    """

    table: str
    values: dict[str, Any]


@dataclass(frozen=True)
class DeadLetter:
    """A record the materializer could not accept, with the reason and the raw bytes."""

    consumer_group: str
    topic: str
    partition: int
    offset: int
    error_class: str
    error_message: str
    key: bytes | None
    value: bytes | None
    created_at: datetime


@dataclass(frozen=True)
class StoredDeadLetter:
    """A kept dead letter with its row id and replay state."""

    letter_id: int
    letter: DeadLetter
    replay_attempts: int = 0
    resolved_event_id: str | None = None


@dataclass(frozen=True)
class ReplayOutcome:
    """What a replay made of one dead letter: an event id, or the reason it still fails."""

    letter_id: int
    event_id: str | None
    error_class: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class TopicPartitionOffset:
    topic: str
    partition: int
    next_offset: int


@dataclass
class BatchCounts:
    events_written: int = 0
    cases_written: int = 0
    dead_letters_written: int = 0
    extra: dict[str, int] = field(default_factory=dict)
