"""Which of a batch's cases are restricted (`restricted_case_ids`, the ids joined as a relation on
PostgreSQL since the `= ANY` form's generic plan compared every mark with every id): the same answer as a
set intersection for any list of ids — repeated, unknown, non-ASCII, none — also once the statement runs
prepared (psycopg prepares a statement from its sixth run)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.case_fold import fold_case
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
    finally:
        engine.dispose()
