"""The log's payload column (migration 0018: `json` on PostgreSQL, not `jsonb`): whatever JSON an event
carries comes back as it went in, on both backends and on both write paths (copied straight into the
log, or staged when a batch is redelivered), and a redelivered event is still absorbed or refused by
its content."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from consumers.projections import stored_event
from consumers.records import StoredEvent
from consumers.store_errors import StoreRejected
from services.store.engine import make_engine
from services.store.schema_version import alembic_config
from services.store.sql_store import SqlCaseStore
from tests.factories import opened

pytestmark = pytest.mark.integration

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_PAYLOADS = st.dictionaries(_TEXT, _JSON, max_size=6)
_CASES = itertools.count()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_any_json_payload_comes_back_as_written(backend: str, request: pytest.FixtureRequest) -> None:
    """Straight copy for the first write; the staging path for the second (one event already stored),
    which absorbs the stored one (same content) and adds the new one."""
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    store = SqlCaseStore(engine)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=_PAYLOADS, second=_PAYLOADS)
    def round_trip(first: dict[str, Any], second: dict[str, Any]) -> None:
        case_id = f"C-json-{next(_CASES)}"
        one = _with_payload(stored_event(opened(case_id), "t", 0, 0), first)
        two = _with_payload(stored_event(opened(case_id, minutes=1), "t", 0, 1), second)
        with store.transaction() as tx:
            assert tx.add_events([one]) == [one]
        with store.transaction() as tx:
            assert tx.add_events([one, two]) == [two]
            stored = tx.events_of_cases([case_id])[case_id]
        assert sorted(stored, key=lambda e: e.source_offset) == [one, two]

    try:
        round_trip()
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_redelivered_event_with_another_payload_is_refused(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    store = SqlCaseStore(engine)
    event = _with_payload(stored_event(opened("C-json-x"), "t", 0, 0), {"a": [1, {"b": "c"}]})
    with store.transaction() as tx:
        tx.add_events([event])
    changed = _with_payload(event, {"a": [1, {"b": "d"}]})
    with pytest.raises(StoreRejected), store.transaction() as tx:
        tx.add_events([changed])
    with store.transaction() as tx:
        assert tx.events_of_cases(["C-json-x"]) == {"C-json-x": [event]}
    engine.dispose()


def test_the_payload_is_json_and_the_migration_goes_both_ways(postgres_url: str) -> None:
    """0018 makes the payload `json` (distribution stays `jsonb`: queries read its fields); its downgrade
    gives `jsonb` back with the rows intact, and upgrading again keeps them."""
    engine = make_engine(postgres_url)
    store = SqlCaseStore(engine)
    event = _with_payload(stored_event(opened("C-json-m"), "t", 0, 0), {"k": "Hà Nội", "n": [1, 2.5, None]})
    with store.transaction() as tx:
        tx.add_events([event])
    assert _types(engine) == {"payload": "json", "distribution": "jsonb"}
    config = alembic_config()
    for target, kind in (("0017", "jsonb"), ("head", "json")):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0017" else command.upgrade)(config, target)
        assert _types(engine)["payload"] == kind
        with store.transaction() as tx:
            assert tx.events_of_cases(["C-json-m"]) == {"C-json-m": [event]}
    engine.dispose()


def _with_payload(event: StoredEvent, payload: dict[str, Any]) -> StoredEvent:
    return replace(event, payload=payload)


def _types(engine: Any) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'case_events' AND column_name IN ('payload', 'distribution')"
            )
        )
        return {name: kind for name, kind in rows}
