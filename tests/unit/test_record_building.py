"""`built` and `replaced` (consumers/records.py) against the dataclass constructor and
`dataclasses.replace` they stand in for on the hot path: the same record, field for field, for any values
and any subset of changes."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers.case_fold import _empty, fold_case
from consumers.projections import stored_event
from consumers.records import CaseState, StoredEvent, built, replaced
from producers.simulator.simulation import simulate_events

_times = st.datetimes(timezones=st.just(UTC))
_text = st.text(max_size=40)
_json = st.dictionaries(_text, st.one_of(st.none(), st.integers(), _text), max_size=4)

_stored_values = st.fixed_dictionaries(
    {
        "event_id": _text,
        "case_id": _text,
        "event_type": _text,
        "agency": _text,
        "reporting_unit": _text,
        "occurred_at": _times,
        "recorded_at": _times,
        "producer": _text,
        "schema_version": st.integers(),
        "distribution": _json,
        "embargo_until": st.none() | _times,
        "payload": _json,
        "source_topic": _text,
        "source_partition": st.integers(),
        "source_offset": st.integers(),
    }
)


@given(values=_stored_values)
def test_a_built_event_is_the_one_its_constructor_makes(values: dict[str, Any]) -> None:
    fast, slow = built(StoredEvent, dict(values)), StoredEvent(**values)
    assert fast == slow
    assert hash(fast) == hash(slow) if _hashable(slow) else True
    assert repr(fast) == repr(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.case_id = "changed"  # type: ignore[misc]


def _hashable(event: StoredEvent) -> bool:
    try:
        hash(event)
    except TypeError:  # dict fields: neither can be hashed, which the == above already covers
        return False
    return True


_CASES = [
    fold_case(e.case_id, [stored_event(e, "t", 0, i)]) for i, e in enumerate(simulate_events(40, seed=5))
]
_FIELDS = [f.name for f in dataclasses.fields(CaseState)]


@given(
    base=st.sampled_from(_CASES),
    source=st.sampled_from(_CASES),
    names=st.sets(st.sampled_from(_FIELDS)),
)
def test_a_replaced_case_is_what_dataclasses_replace_gives(
    base: CaseState, source: CaseState, names: set[str]
) -> None:
    changes = {name: getattr(source, name) for name in names}
    fast = replaced(base, changes)
    assert fast == dataclasses.replace(base, **changes)
    assert type(fast) is CaseState
    assert base == replaced(base, {})  # the original is left as it was
    assert fast is not base


def test_the_decoders_log_row_is_the_one_the_constructor_makes() -> None:
    """stored_event builds its row with `built`: same row as the constructor, for simulated events."""
    for offset, event in enumerate(simulate_events(200, seed=11)):
        row = stored_event(event, "casehub.cases.x", 2, offset)
        assert row == StoredEvent(**dataclasses.asdict(row))
        assert row.occurred_at == event.occurred_at and row.source_offset == offset
        assert row.payload == event.payload.model_dump(mode="json")


@given(case_id=_text, at=_times)
def test_a_case_before_its_events_is_the_one_the_constructor_makes(case_id: str, at: Any) -> None:
    """case_fold._empty builds the empty case with `built` from a table of its defaults: every field
    given, the same record the constructor made before."""
    first = built(StoredEvent, {"occurred_at": at})
    fast = _empty(case_id, first)
    slow = CaseState(
        case_id=case_id,
        status="stub",
        stage="none",
        title=None,
        opened_by=None,
        opened_at=None,
        origin_event_id=None,
        origin_event_type=None,
        agencies=(),
        province_code=None,
        current_province_code=None,
        category=None,
        bucket=None,
        channel=None,
        platform=None,
        goods=None,
        total_fines_vnd=0,
        goods_value_vnd=0,
        outcome=None,
        closed_at=None,
        closing_event_id=None,
        event_count=0,
        first_event_at=at,
        last_event_at=at,
    )
    assert fast == slow and repr(fast) == repr(slow)
    assert sorted(vars(fast)) == sorted(_FIELDS)
    assert _empty(case_id, first) is not fast  # a new record each time (folds replace, never mutate)
