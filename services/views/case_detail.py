"""One case as a viewer sees it: the row folded from their visible events and the cross-agency timeline.

Fields only the publishing agency may read (a tip's reporter reference, which protects whistle-blowers;
each event type's entry in consumers/event_types/ names them) are withheld from everyone else, and the
timeline entry says which were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consumers.case_fold import fold_case
from consumers.event_types.registry import entry_named
from consumers.records import CaseState, StoredEvent
from consumers.visibility import Viewer
from schemas.bounds import is_url_safe_id
from services.views.visible_cases import visible_events

CASE_ID_MAX = 64  # schemas.shapes.CaseId


@dataclass(frozen=True)
class TimelineEntry:
    event_id: str
    event_type: str
    agency: str
    reporting_unit: str
    occurred_at: datetime
    recorded_at: datetime
    level: str
    shared_with: tuple[str, ...]
    handling: str | None
    embargo_until: datetime | None
    payload: dict[str, Any]
    withheld: tuple[str, ...]


@dataclass(frozen=True)
class CaseDetail:
    case: CaseState
    timeline: tuple[TimelineEntry, ...]

    @property
    def subject_ids(self) -> tuple[str, ...]:
        """Sellers named in the visible events, in order of first mention."""
        named = (e.payload.get("subject_id") for e in self.timeline)
        return tuple(dict.fromkeys(s for s in named if s))


def case_detail(connection: Connection, viewer: Viewer, case_id: str) -> CaseDetail | None:
    """None when the viewer sees no event of the case, or it lies outside their provinces (or the id cannot be
    a case id: NUL and other characters no case id holds are never sent to the database)."""
    if not is_url_safe_id(case_id, CASE_ID_MAX):
        return None
    events = visible_events(connection, viewer, case_id)
    if not events:
        return None
    case = fold_case(case_id, events)
    if viewer.provinces and case.current_province_code not in viewer.provinces:
        return None
    return CaseDetail(case, tuple(timeline_entry(viewer, event) for event in events))


def timeline_entry(viewer: Viewer, event: StoredEvent) -> TimelineEntry:
    own = viewer.agency == event.agency
    withheld = () if own else tuple(sorted(entry_named(event.event_type).owner_only))
    payload = {k: v for k, v in event.payload.items() if k not in withheld}
    return TimelineEntry(
        event_id=event.event_id,
        event_type=event.event_type,
        agency=event.agency,
        reporting_unit=event.reporting_unit,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        level=event.distribution.get("level", "OWNER_ONLY"),
        shared_with=tuple(event.distribution.get("agencies") or ()),
        handling=event.distribution.get("handling"),
        embargo_until=event.embargo_until,
        payload=payload,
        withheld=tuple(name for name in withheld if event.payload.get(name) is not None),
    )
