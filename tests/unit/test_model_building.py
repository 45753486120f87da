"""The models the fast decode builds (inlined stores, one fields-set per frozen class) against pydantic's:
every nested model the same class, values, fields-set, extra and private, and a shared fields-set
that nothing a caller can do changes (frozen assignment refused, copies get their own)."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from producers.demo_data import demo_events
from producers.simulator import simulate_events
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from schemas.model_fast_check import ModelChecks, new_model
from tests.factories import event, full_payloads

CODEC = CaseEventCodec()
SEEDS: list[CaseEvent] = [
    *simulate_events(200, seed=23),
    *demo_events(cases=2),
    *(event(payload) for payload in full_payloads().values()),
]


def models_in(value: Any) -> list[pydantic.BaseModel]:
    """The model and every model nested in it, depth first."""
    if isinstance(value, pydantic.BaseModel):
        return [value, *(m for item in value.__dict__.values() for m in models_in(item))]
    if isinstance(value, tuple | list):
        return [m for item in value for m in models_in(item)]
    return []


def pydantic_state(model: pydantic.BaseModel) -> tuple[Any, ...]:
    return (
        type(model),
        model.__dict__,
        model.model_fields_set,
        model.__pydantic_extra__,
        model.__pydantic_private__,
    )


@pytest.mark.parametrize("sent", SEEDS, ids=[f"{n}-{e.event_type}" for n, e in enumerate(SEEDS)])
def test_every_model_the_fast_decode_builds_is_the_one_pydantic_builds(sent: CaseEvent) -> None:
    data = CODEC.encode(sent)
    accepted = CODEC.decode_accepted(data)
    assert accepted is not None
    fast, plain = models_in(accepted.event), models_in(CODEC.decode(data))
    assert len(fast) == len(plain) > 2  # the envelope, its distribution, its payload at least
    for built, validated in zip(fast, plain, strict=True):
        assert pydantic_state(built) == pydantic_state(validated)
        assert pydantic_state(built) == pydantic_state(new_model(type(validated), dict(validated.__dict__)))


def test_a_shared_fields_set_is_never_changed_through_a_model() -> None:
    first, second = (CODEC.decode_accepted(CODEC.encode(e)) for e in SEEDS[:2])
    assert first is not None and second is not None
    assert first.event.__pydantic_fields_set__ is second.event.__pydantic_fields_set__  # shared, so:
    with pytest.raises(pydantic.ValidationError):
        first.event.case_id = "changed"  # type: ignore[misc]  # frozen: refused before the set is touched
    copied = first.event.model_copy(update={"case_id": "changed"})
    assert copied.case_id == "changed" and copied.__pydantic_fields_set__ is not first.event.model_fields_set
    assert second.event.model_fields_set == set(CaseEvent.model_fields)
    assert first.event == CODEC.decode(CODEC.encode(SEEDS[0]))


class Loose(pydantic.BaseModel):
    """A model that is not frozen: its instances may be assigned to, so each gets its own fields-set."""

    model_config = pydantic.ConfigDict(extra="forbid")
    name: str
    count: int


def test_a_model_that_is_not_frozen_gets_a_fields_set_of_its_own() -> None:
    check = ModelChecks().model(Loose)
    (one, _), (two, _) = check({"name": "a", "count": 1}), check({"name": "b", "count": 2})
    assert one.__pydantic_fields_set__ is not two.__pydantic_fields_set__
    one.count = 3
    assert pydantic_state(one) == pydantic_state(Loose(name="a", count=3))
    assert pydantic_state(two) == pydantic_state(Loose(name="b", count=2))
