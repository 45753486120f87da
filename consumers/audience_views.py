"""Cases with restricted events, folded once per audience at write time (services/store/audience_tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def audience_views(
    case_id: str, events: Sequence[StoredEvent], now: datetime, known: Mapping[str, EventRead] | None = None
) -> AudienceViews:
    """Each audience's fold of the events it may see now (none when it sees nothing), and until when
    that holds: the earliest embargo still running.

    Most audiences of a case see the same events (all but the few a restriction hides), so each distinct
    set is folded once: the fold is a function of the events in their order, so sharing it changes no
    view (tests/unit/test_audience_views.py checks against folding per audience). `known`: the batch's
    own reads of events in the history, by id, whose payloads were validated by the decoder already (an
    event read back from the log has its payload validated again by its model)."""
    views: list[tuple[str, CaseState]] = []
    known = known or {}
    read = [known.get(e.event_id) or EventRead(e) for e in events]  # a payload validated once at most
    folds: dict[tuple[int, ...], CaseState] = {}  # audiences that see the same events share one fold
    for audience in audiences():
        viewer = Viewer(None if audience == PUBLIC_AUDIENCE else audience, now)
        seen = tuple(
            i
            for i, r in enumerate(read)
            if can_see(viewer, r.event.agency, r.event.distribution, r.event.embargo_until)
        )
        if not seen:
            continue
        if seen not in folds:
            folds[seen] = merge_reads(case_id, None, [read[i] for i in seen])
        views.append((audience, folds[seen]))
    running = [e.embargo_until for e in events if e.embargo_until is not None and e.embargo_until > now]
    return AudienceViews(case_id, tuple(views), min(running) if running else None)


def _sees(viewer: Viewer, event: StoredEvent) -> bool:
    return can_see(viewer, event.agency, event.distribution, event.embargo_until)
