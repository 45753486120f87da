"""`apply_events` in one pass over the batch (issue 17) against the version it replaced, kept here
verbatim as the oracle: the same store (log, per-event rows, cases, subjects, audience views) for
simulated events cut into batches at random, some redelivered, on the in-memory store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.audience_views import audience_views, is_restricted
from consumers.case_fold import merge_reads
from consumers.event_types.registry import EventRead
from consumers.ports.case_store import StoreTransaction
from consumers.projections import apply_events, stored_event
from consumers.records import StoredEvent
from producers.simulator.simulation import simulate_events
from tests.fakes import MemoryCaseStore

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def _previous_apply(tx: StoreTransaction, events: Sequence[StoredEvent]) -> None:
    """apply_events before the single pass (git 3c086be, consumers/projections.py), unchanged."""
    new = tx.add_events(events)
    if not new:
        return
    read = [EventRead(event) for event in new]
    tx.add_rows([row for r in read for row in r.rows()])
    by_case: dict[str, list[EventRead]] = {}
    for r in read:
        by_case.setdefault(r.event.case_id, []).append(r)
    existing = tx.lock_cases(by_case)
    tx.put_cases(
        [merge_reads(case_id, existing.get(case_id), reads) for case_id, reads in sorted(by_case.items())]
    )
    restricted = {e.case_id for e in new if is_restricted(e)} | tx.restricted_case_ids(by_case)
    if restricted:
        histories = tx.events_of_cases(restricted)
        known = {r.event.event_id: r for case_id in restricted for r in by_case.get(case_id, ())}
        tx.put_audience_views(
            [audience_views(case_id, evs, NOW, known) for case_id, evs in sorted(histories.items())]
        )
    touched_subjects = {subject for r in read if (subject := r.observed_subject()) is not None}
    if touched_subjects:
        tx.lock_subjects(touched_subjects)
        tx.refold_subjects(touched_subjects)


EVENTS = [stored_event(e, "t", 0, offset) for offset, e in enumerate(simulate_events(400, seed=29))]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_single_pass_stores_what_the_previous_apply_stored(data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(1, len(EVENTS) - 1), max_size=6)))
    batches = [EVENTS[a:b] for a, b in zip([0, *cuts], [*cuts, len(EVENTS)], strict=True)]
    again = data.draw(st.lists(st.sampled_from(range(len(batches))), max_size=2))
    batches += [batches[i] for i in again]  # redelivered batches: their events count once
    now_store, before_store = MemoryCaseStore(), MemoryCaseStore()
    with mock.patch("consumers.projections.utcnow", return_value=NOW):
        for batch in batches:
            with now_store.transaction() as tx:
                apply_events(tx, batch)
            with before_store.transaction() as tx:
                _previous_apply(tx, batch)
    assert now_store.state == before_store.state


def test_the_events_cover_rows_subjects_and_restricted_cases() -> None:
    """The oracle test means something only if the batch writes rows, subjects and audience views."""
    store = MemoryCaseStore()
    with mock.patch("consumers.projections.utcnow", return_value=NOW), store.transaction() as tx:
        apply_events(tx, EVENTS)
    assert store.state.subjects and store.state.audience_views and len(store.state.rows) >= 4
