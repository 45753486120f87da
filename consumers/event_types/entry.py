"""What one event type contributes: its projection rows, its steps of the case fold, its timeline
summary and its labels, declared once, next to each other, typed by the payload class.

The case fold, the projections, the timeline and the reports read these entries instead of keeping
tables keyed by event-type strings, so a new type is one entry and a missing piece is a failing test
(tests/unit/test_event_type_registry.py), never a silently empty column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from consumers.records import ProjectionRow, StoredEvent
from schemas.payloads import Payload

P = TypeVar("P", bound=Payload)

STAGES = (
    "none",
    "tip",
    "open",
    "inspected",
    "violation_confirmed",
    "penalized",
    "referred",
    "closed",
)
"""The stages of a case in the order it advances; an entry names the stage its event reaches."""


@dataclass(frozen=True)
class Origin:
    """What a case's origin event (an opening, else a tip) says the case is about."""

    title: str | None
    province_code: str | None
    category: str | None
    channel: str | None
    platform: str | None
    goods: str | None


@dataclass(frozen=True)
class OriginRule(Generic[P]):
    """How an event type can be a case's origin: its rank (lower wins) and what it describes."""

    rank: int
    describe: Callable[[P], Origin]


def no_rows(event: StoredEvent, payload: Payload) -> list[ProjectionRow]:
    """An event type without a projection table of its own (it lives in the log and the case row)."""
    return []


@dataclass(frozen=True)
class EventType(Generic[P]):
    """The entry of one event type, keyed by its payload class.

    The first five pieces have no default, so every entry says them out loud: a type with no
    projection table says `rows=no_rows`, a type with nothing private says `owner_only=frozenset()`
    (a forgotten private field would otherwise be shown to every agency).

    `label` is (Vietnamese, English); `summary` the payload fields a timeline shows, in order;
    `owner_only` the fields only the publishing agency may read; `stage` the case stage the event
    reaches (one of STAGES) or None; `fine_vnd` and `stated_value_vnd` what it adds to the case's
    fines and states of its goods' value (None: nothing, and the payload need not be read); `origin`
    set when the event can start a case's story;
    `closing_outcome` set when it closes the case; `observed_subject` set when it is an observation
    of a subject (seller) that the subject fold must refold.
    """

    payload: type[P]
    label: tuple[str, str]
    summary: tuple[str, ...]
    rows: Callable[[StoredEvent, P], list[ProjectionRow]]
    owner_only: frozenset[str]
    stage: str | None = None
    fine_vnd: Callable[[P], int] | None = None
    stated_value_vnd: Callable[[P], int] | None = None
    origin: OriginRule[P] | None = None
    closing_outcome: Callable[[P], str] | None = None
    observed_subject: Callable[[P], str] | None = None

    @property
    def name(self) -> str:
        """The Avro record name, which the log stores as the event type."""
        return self.payload.event_type
