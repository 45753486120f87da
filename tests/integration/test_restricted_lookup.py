"""Which of a batch's cases are restricted (`restricted_case_ids`, the ids joined as a relation on
PostgreSQL since the `= ANY` form's generic plan compared every mark with every id): the same answer as a
set intersection for any list of ids — repeated, unknown, non-ASCII, none — also once the statement runs
prepared (psycopg prepares a statement from its sixth run). And inside one transaction, through any
sequence of locking cases (PostgreSQL then answers from the marks read with the locks), marking cases
restricted, and savepoints kept or rolled back: always the marks the transaction can see."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.case_fold import fold_case
from consumers.ports.case_store import StoreTransaction
from consumers.projections import stored_event
from consumers.records import AudienceViews
from services.store.engine import make_engine
from services.store.sql_store import SqlCaseStore
from tests.factories import opened

pytestmark = pytest.mark.integration

_IDS = [f"VN-2025-QLTT-{i:05d}" for i in range(8)]
_RESTRICTED = set(_IDS[::2])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_restricted_cases_are_found_among_any_ids(backend: str, request: pytest.FixtureRequest) -> None:
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    store = SqlCaseStore(engine)
    with store.transaction() as tx:
        for offset, case_id in enumerate(_IDS):
            event = stored_event(opened(case_id), "t", 0, offset)
            tx.add_events([event])
            case = fold_case(case_id, [event])
            tx.put_cases([case])
            if case_id in _RESTRICTED:
                tx.put_audience_views([AudienceViews(case_id, (("qltt", case),), None)])

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(asked=st.lists(st.sampled_from([*_IDS, "VN-2025-QLTT-99999", "Đà-ư'", ""]), max_size=12))
    def lookup(asked: list[str]) -> None:
        with store.transaction() as tx:
            assert tx.restricted_case_ids(asked) == _RESTRICTED & set(asked)

    try:
        lookup()
        steps_of_a_transaction(store)
    finally:
        engine.dispose()


class _RolledBack(Exception):
    """Rolls a savepoint or the example's transaction back (each example starts from the same marks)."""


_ANY_IDS = st.lists(st.sampled_from([*_IDS, "VN-2025-QLTT-99999", "Đà-ư'", ""]), max_size=8)
_SOME_CASES = st.sets(st.sampled_from(_IDS), max_size=4)


def steps_of_a_transaction(store: SqlCaseStore) -> None:
    """One transaction: lock some ids, mark some cases, then a savepoint (kept or rolled back) that locks
    and marks again; after each step the answer for the locked ids, for any ids and for all of them must
    be the marks the transaction can see — those committed before, plus its own outside a rolled-back
    savepoint."""
    cases = {case_id: fold_case(case_id, [stored_event(opened(case_id), "t", 0, 0)]) for case_id in _IDS}

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        first_locked=_ANY_IDS,
        first_marked=_SOME_CASES,
        inner_locked=_ANY_IDS,
        inner_marked=_SOME_CASES,
        kept=st.booleans(),
        asked=_ANY_IDS,
    )
    def run(
        first_locked: list[str],
        first_marked: set[str],
        inner_locked: list[str],
        inner_marked: set[str],
        kept: bool,
        asked: list[str],
    ) -> None:
        marked = set(_RESTRICTED)

        def answers(tx: StoreTransaction, locked: list[str]) -> None:
            for ids in (locked, asked, [*_IDS, "VN-2025-QLTT-99999"]):
                assert tx.restricted_case_ids(ids) == marked & set(ids), (ids, marked)

        def mark(tx: StoreTransaction, ids: set[str]) -> None:
            tx.put_audience_views([AudienceViews(i, (("qltt", cases[i]),), None) for i in sorted(ids)])
            marked.update(ids)

        with pytest.raises(_RolledBack), store.transaction() as tx:
            tx.lock_cases(first_locked)
            answers(tx, first_locked)
            mark(tx, first_marked)
            answers(tx, first_locked)
            before = set(marked)
            try:
                with tx.savepoint():
                    tx.lock_cases(inner_locked)
                    answers(tx, inner_locked)
                    mark(tx, inner_marked)
                    answers(tx, inner_locked)
                    if not kept:
                        raise _RolledBack
            except Exception as exc:  # the savepoint hands its error on as the store's
                if kept or not isinstance(exc.__cause__ or exc, _RolledBack):
                    raise
                marked.intersection_update(before)
            answers(tx, inner_locked)
            raise _RolledBack

    run()
