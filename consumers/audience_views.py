"""Cases with restricted events, folded once per audience at write time (services/store/audience_tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from consumers.case_fold import merge_reads
from consumers.event_types.registry import EventRead
from consumers.records import AudienceViews, CaseState, StoredEvent
from consumers.visibility import Viewer, can_see
from schemas.reference import agencies

PUBLIC_AUDIENCE = "*"  # the audience of a case view everyone (the public included) may read


def is_restricted(event: StoredEvent) -> bool:
    """Not shared with everyone as is: a narrower level, a handling code, or an embargo."""
    distribution = event.distribution
    return (
        distribution.get("level") != "ALL_AGENCIES"
        or distribution.get("handling") is not None
        or event.embargo_until is not None
    )


@cache
def audiences() -> tuple[str, ...]:
    """Every agency in the reference data, and the public."""
    return (*sorted(agencies()), PUBLIC_AUDIENCE)


def audience_views(case_id: str, events: Sequence[StoredEvent], now: datetime) -> AudienceViews:
    """Each audience's fold of the events it may see now (none when it sees nothing), and until when
    that holds: the earliest embargo still running."""
    views: list[tuple[str, CaseState]] = []
    read = [EventRead(e) for e in events]  # each payload validated once for every audience's fold
    for audience in audiences():
        viewer = Viewer(None if audience == PUBLIC_AUDIENCE else audience, now)
        visible = [
            r for r in read if can_see(viewer, r.event.agency, r.event.distribution, r.event.embargo_until)
        ]
        if visible:
            views.append((audience, merge_reads(case_id, None, visible)))
    running = [e.embargo_until for e in events if e.embargo_until is not None and e.embargo_until > now]
    return AudienceViews(case_id, tuple(views), min(running) if running else None)


def _sees(viewer: Viewer, event: StoredEvent) -> bool:
    return can_see(viewer, event.agency, event.distribution, event.embargo_until)
