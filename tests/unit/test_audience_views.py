"""The audience views folded once per distinct set of visible events (consumers/audience_views.py)
against folding each audience on its own, kept here as the oracle: the same views, valid for as long,
for simulated histories whose events get random distributions, handling codes and embargoes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.audience_views import PUBLIC_AUDIENCE, audience_views, audiences
from consumers.case_fold import merge_reads
from consumers.event_types.registry import EventRead
from consumers.projections import stored_event
from consumers.records import AudienceViews, CaseState, StoredEvent, replaced
from consumers.visibility import Viewer, can_see
from producers.simulator.simulation import simulate_events
from schemas.reference import agencies


def _per_audience(case_id: str, events: Sequence[StoredEvent], now: datetime) -> AudienceViews:
    """audience_views before the shared folds (git 27f3a93), unchanged but inlined."""
    views: list[tuple[str, CaseState]] = []
    read = [EventRead(e) for e in events]
    for audience in audiences():
        viewer = Viewer(None if audience == PUBLIC_AUDIENCE else audience, now)
        visible = [
            r for r in read if can_see(viewer, r.event.agency, r.event.distribution, r.event.embargo_until)
        ]
        if visible:
            views.append((audience, merge_reads(case_id, None, visible)))
    running = [e.embargo_until for e in events if e.embargo_until is not None and e.embargo_until > now]
    return AudienceViews(case_id, tuple(views), min(running) if running else None)


def _histories() -> list[tuple[str, list[StoredEvent]]]:
    by_case: dict[str, list[StoredEvent]] = defaultdict(list)
    for offset, e in enumerate(simulate_events(600, seed=23)):
        by_case[e.case_id].append(stored_event(e, "t", 0, offset))
    return [(case_id, events) for case_id, events in by_case.items() if len(events) > 2][:25]


HISTORIES = _histories()
AGENCIES = sorted(agencies())

_distribution = st.one_of(
    st.just({"level": "ALL_AGENCIES", "agencies": [], "handling": None}),
    st.fixed_dictionaries(
        {
            "level": st.sampled_from(["ALL_AGENCIES", "LISTED_AGENCIES", "OWNER_ONLY"]),
            "agencies": st.lists(st.sampled_from(AGENCIES), max_size=3, unique=True),
            "handling": st.sampled_from([None, "INVESTIGATION_CONFIDENTIAL", "SENSITIVE"]),
        }
    ),
)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_shared_folds_give_every_audience_the_view_it_had_alone(data: st.DataObject) -> None:
    for case_id, events in HISTORIES:
        now = events[0].occurred_at + timedelta(days=data.draw(st.integers(-5, 60)))
        restricted = [
            replaced(
                e,
                {
                    "distribution": data.draw(_distribution),
                    "embargo_until": data.draw(
                        st.none() | st.integers(0, 40).map(lambda d, at=e.occurred_at: at + timedelta(days=d))
                    ),
                },
            )
            for e in events
        ]
        shared, alone = audience_views(case_id, restricted, now), _per_audience(case_id, restricted, now)
        assert shared == alone


def test_the_histories_give_audiences_different_views() -> None:
    """The oracle test means something only if audiences can differ: one agency's restricted event."""
    case_id, events = HISTORIES[0]
    owner = events[-1].agency
    hidden = replaced(events[-1], {"distribution": {"level": "OWNER_ONLY", "agencies": [], "handling": None}})
    views = dict(audience_views(case_id, [*events[:-1], hidden], events[-1].occurred_at).views)
    assert views[owner].event_count == len(events)
    assert views[PUBLIC_AUDIENCE].event_count == len(events) - 1
    assert len({id(case) for case in views.values()}) == 2  # the other agencies share the public's fold
