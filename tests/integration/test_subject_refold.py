"""The subject fold as one PostgreSQL statement (services/store/subject_refold.py) against the Python
fold it stands in for (consumers/subject_fold.py, which SQLite still uses), as the oracle: the same
subject records from generated observations — ties in time broken by event id, empty and UNKNOWN kinds,
empty names, missing platforms, repeated cases and agencies, non-ASCII names and codes — refolded over
several batches onto records already stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, text

from consumers.subject_fold import fold_subject
from services.store.code_list import encode
from services.store.engine import make_engine
from services.store.sql_store import OBSERVATIONS, SUBJECTS, SqlTransaction

pytestmark = pytest.mark.integration

_T0 = datetime(2025, 6, 1, tzinfo=UTC)
_SUBJECTS = ["S-1", "S-2", "S-Đ3"]

_observation = st.fixed_dictionaries(
    {
        "subject_id": st.sampled_from(_SUBJECTS),
        "case_id": st.sampled_from(["C-1", "C-2", "C-3", "C-ư4"]),
        "agency": st.sampled_from(["qltt", "customs", "police", "tax"]),
        "occurred_at": st.integers(0, 4).map(lambda h: _T0 + timedelta(hours=h)),  # ties on purpose
        "kind": st.sampled_from(["UNKNOWN", "PERSON", "ORGANISATION", "SHOP", ""]),
        "role": st.just("SELLER"),
        "display_name": st.one_of(st.none(), st.just(""), st.text(min_size=1, max_size=12)),
        "platform": st.one_of(st.none(), st.just(""), st.sampled_from(["shopee", "lazada", "Tiki", "ZALO"])),
        "province_code": st.none(),
        "event_id": st.uuids().map(str),
    }
)


@pytest.fixture
def engine(postgres_url: str) -> Engine:
    return make_engine(postgres_url)


def _clean(text: str | None) -> str | None:
    """PostgreSQL text holds no NUL; the contract refuses control characters before this point."""
    return None if text is None else text.replace("\x00", "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(_observation, min_size=1, max_size=8), min_size=1, max_size=3))
def test_the_statement_stores_what_the_python_fold_gives(engine: Engine, batches: list[list[Any]]) -> None:
    stored: dict[str, dict[str, Any]] = {}
    with engine.begin() as connection:
        connection.execute(delete(SUBJECTS))
        connection.execute(delete(OBSERVATIONS))
        for batch in batches:
            rows = [
                {**o, "event_id": str(uuid.uuid4()), "display_name": _clean(o["display_name"])} for o in batch
            ]
            connection.execute(OBSERVATIONS.insert(), rows)
            for row in rows:
                stored[row["event_id"]] = row
            touched = {row["subject_id"] for row in rows}
            SqlTransaction(connection).refold_subjects(touched)
            got = {row.subject_id: row._asdict() for row in connection.execute(select(SUBJECTS))}
            spelled = dict(
                connection.execute(
                    text("SELECT subject_id, platforms || '|' || agencies FROM subjects")
                ).all()
            )
            for subject_id in touched:
                observed = [o for o in stored.values() if o["subject_id"] == subject_id]
                folded = fold_subject(subject_id, observed)
                assert got[subject_id] == vars(folded)
                assert spelled[subject_id] == f"{encode(folded.platforms)}|{encode(folded.agencies)}"
        connection.rollback()


def test_latest_name_and_kind_win_by_time_then_event_id(engine: Engine) -> None:
    """Hand-picked: the later of two sightings at the same moment is the one with the greater id."""
    at = _T0
    rows = [
        {"event_id": "00000000-0000-0000-0000-00000000000b", "display_name": "Bà B", "kind": "PERSON"},
        {"event_id": "00000000-0000-0000-0000-00000000000a", "display_name": "Cửa hàng A", "kind": "SHOP"},
        {"event_id": "00000000-0000-0000-0000-000000000001", "display_name": "", "kind": "UNKNOWN"},
    ]
    common = {"subject_id": "S", "case_id": "C", "agency": "qltt", "occurred_at": at, "role": "SELLER"}
    with engine.begin() as connection:
        connection.execute(
            OBSERVATIONS.insert(), [{**common, **r, "platform": None, "province_code": None} for r in rows]
        )
        SqlTransaction(connection).refold_subjects(["S", "nobody"])
        subject = connection.execute(select(SUBJECTS)).one()
    assert (subject.display_name, subject.kind, subject.platforms) == ("Bà B", "PERSON", ())
    assert (subject.agencies, subject.case_count) == (("qltt",), 1)
