"""The models the fast decode builds (inlined stores, one fields-set per frozen class) against pydantic's:
every nested model the same class, values, fields-set, extra and private, and a shared fields-set
that nothing a caller can do changes (frozen assignment refused, copies get their own)."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
import pytest
from pydantic_core import PydanticCustomError

from producers.demo_data import demo_events
from producers.simulator import simulate_events
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from schemas.model_fast_check import REMEMBERED_CHARS, REMEMBERED_VALUES, Declined, ModelChecks, new_model
from schemas.shapes import PURE_STRING_CHECKS, Text
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


class Coded(pydantic.BaseModel):
    """Two string fields with the same rules: one by a validator named pure, one by one that is not."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")
    remembered: Annotated[str, pydantic.Field(max_length=8), pydantic.AfterValidator(str.strip)]
    asked: Annotated[str, pydantic.Field(max_length=8), pydantic.AfterValidator(str.lower)]


def test_a_pure_rule_is_remembered_by_value_an_unknown_one_is_asked_every_time() -> None:
    calls: list[str] = []

    def counted_strip(value: str) -> str:
        calls.append(value)
        return value.strip()

    class Counted(Coded):
        remembered: Annotated[str, pydantic.Field(max_length=8), pydantic.AfterValidator(counted_strip)]

    lowered: list[str] = []

    def counted_lower(value: str) -> str:
        lowered.append(value)
        return value.lower()

    class Asked(Counted):
        asked: Annotated[str, pydantic.Field(max_length=8), pydantic.AfterValidator(counted_lower)]

    check = ModelChecks(pure=frozenset({counted_strip})).model(Asked)
    oracle = Asked(remembered=" a ", asked="B")  # pydantic's model (calls both validators once)
    calls.clear(), lowered.clear()
    for _ in range(3):
        model, dumped = check({"remembered": " a ", "asked": "B"})
        assert pydantic_state(model) == pydantic_state(oracle)
        assert dumped == oracle.model_dump(mode="json")
    assert calls == [" a "] and lowered == ["B", "B", "B"]
    for _ in range(2):  # a value that fails is never remembered: refused every time
        with pytest.raises(Declined):
            check({"remembered": "123456789", "asked": "b"})
    long = "x" * (REMEMBERED_CHARS + 1)
    model_fields = ModelChecks(pure=frozenset({counted_strip}))
    loose = model_fields.model(Counted)
    with pytest.raises(Declined):  # too long for max_length: the rule runs, not a lookup
        loose({"remembered": long, "asked": "b"})


def test_a_field_remembers_a_bounded_number_of_values_and_keeps_judging_right_after() -> None:
    check = ModelChecks(pure=PURE_STRING_CHECKS).model(OneLine)
    for n in range(REMEMBERED_VALUES + 10):
        model, _ = check({"text": f"tên {n}"})
        assert model.text == f"tên {n}"
    with pytest.raises(PydanticCustomError):
        check({"text": "a\x00b"})
    assert check({"text": "tên 3"})[0] == OneLine(text="tên 3")


class OneLine(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")
    text: Text
