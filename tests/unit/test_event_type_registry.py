"""Completeness of the event-type registry: every payload class of the contract has exactly one entry,
and every entry's pieces name real fields, known stages and labelled facts.

These are the checks that replace the silent `.get(event_type)` misses of the old string-keyed tables.
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field

from consumers.event_types.entry import STAGES, EventType, no_rows
from consumers.event_types.registry import EVENT_TYPES, EventTypeRegistry, discovered_entries, entry_named
from schemas.catalog import bundled_catalog
from schemas.errors import ContractViolation
from schemas.payloads import PAYLOAD_TYPES, AnyPayload, Payload, PenaltyDecided
from services.reports.labels import STATUSES, label
from services.web.event_summary import FIELD_LABELS


def missing_entries(registry: EventTypeRegistry, payload_classes: set[type[Payload]]) -> list[str]:
    """The event types of `payload_classes` the registry has no entry for, and entries for no such type."""
    lacking = [f"{cls.event_type} has no entry" for cls in payload_classes if cls not in registry]
    stray = [f"{cls.event_type} is not in the contract" for cls in registry if cls not in payload_classes]
    return sorted(lacking + stray)


def _avsc_payload_records() -> set[str]:
    latest = json.loads(bundled_catalog().latest().text)
    union = next(f["type"] for f in latest["fields"] if f["name"] == "payload")
    return {record["name"] for record in union}


def test_every_payload_class_of_the_union_has_exactly_one_entry() -> None:
    union = set(get_args(AnyPayload))
    assert union == set(PAYLOAD_TYPES.values())
    assert missing_entries(EVENT_TYPES, union) == []


def test_every_payload_record_of_the_latest_avsc_has_an_entry() -> None:
    records = _avsc_payload_records()
    assert records == {entry.name for entry in EVENT_TYPES.values()}


def test_the_completeness_check_names_a_type_whose_entry_is_missing() -> None:
    without_penalties = EventTypeRegistry(e for e in EVENT_TYPES.values() if e.payload is not PenaltyDecided)
    assert missing_entries(without_penalties, set(get_args(AnyPayload))) == ["PenaltyDecided has no entry"]


def test_an_entry_for_a_type_outside_the_contract_is_named_too() -> None:
    class Stray(Payload):
        event_type = "Stray"

    stray = EventType(payload=Stray, label=("Lạc", "Stray"), summary=(), rows=no_rows, owner_only=frozenset())
    assert missing_entries(EVENT_TYPES.with_entries(stray), set(get_args(AnyPayload))) == [
        "Stray is not in the contract"
    ]


@pytest.mark.parametrize("name", sorted(PAYLOAD_TYPES))
def test_each_entry_names_fields_its_payload_has(name: str) -> None:
    entry = entry_named(name)
    fields = set(entry.payload.model_fields)
    assert set(entry.summary) <= fields, f"{name}: summary names fields the payload lacks"
    assert set(entry.owner_only) <= fields, f"{name}: owner-only names fields the payload lacks"
    assert entry.summary, f"{name}: a timeline entry would show no fact"


@pytest.mark.parametrize("name", sorted(PAYLOAD_TYPES))
def test_each_entry_is_labelled_in_both_languages_and_its_facts_too(name: str) -> None:
    entry = entry_named(name)
    vi, en = entry.label
    assert vi.strip() and en.strip() and vi != en
    assert label("event_type", name, "vi") == vi
    assert label("event_type", name, "en") == en
    unlabelled = [field for field in entry.summary if field not in FIELD_LABELS]
    assert unlabelled == [], f"{name}: the timeline would show raw field names {unlabelled}"


def test_every_stage_an_entry_reaches_is_a_labelled_status() -> None:
    reached = {entry.stage for entry in EVENT_TYPES.values() if entry.stage is not None}
    assert reached == set(STAGES) - {"none"}, "each stage is reached by some event type"
    assert reached <= set(STATUSES)


def test_origin_and_closing_pieces_come_in_the_pairs_the_fold_needs() -> None:
    ranks = [entry.origin.rank for entry in EVENT_TYPES.values() if entry.origin is not None]
    assert len(ranks) == len(set(ranks)) >= 1, "origin ranks are distinct, so the origin is a total order"
    assert any(entry.closing_outcome is not None for entry in EVENT_TYPES.values())


def test_a_stored_type_without_an_entry_is_refused_by_name_not_skipped() -> None:
    with pytest.raises(ContractViolation, match="'WarningIssued'"):
        entry_named("WarningIssued")
    assert label("event_type", "WarningIssued") == "WarningIssued"


def test_two_entries_for_one_payload_class_are_refused() -> None:
    twice = EVENT_TYPES[PenaltyDecided]
    with pytest.raises(ValueError, match="two entries for the event type PenaltyDecided"):
        EVENT_TYPES.with_entries(twice)


def test_an_entry_reaching_an_unknown_stage_is_refused() -> None:
    class Odd(Payload):
        event_type = "Odd"
        note: str = Field(default="")

    odd: EventType[Any] = EventType(
        payload=Odd,
        label=("Lạ", "Odd"),
        summary=("note",),
        rows=no_rows,
        owner_only=frozenset(),
        stage="sentenced",
    )
    with pytest.raises(ValueError, match="stage 'sentenced' is not one of"):
        EVENT_TYPES.with_entries(odd)


def test_discovery_finds_one_entry_per_module_and_nothing_else() -> None:
    found = discovered_entries()
    assert len(found) == len(PAYLOAD_TYPES) == len(EVENT_TYPES)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.sampled_from(sorted(PAYLOAD_TYPES))))
def test_any_stored_type_name_finds_its_entry_or_a_contract_violation_naming_it(name: str) -> None:
    """NUL and control characters, empty and long names, near-misses: a refusal by name, never a KeyError."""
    if name in PAYLOAD_TYPES:
        assert entry_named(name).payload is PAYLOAD_TYPES[name]
        assert label("event_type", name) == entry_named(name).label[0]
    else:
        with pytest.raises(ContractViolation) as refused:
            entry_named(name)
        assert repr(name) in str(refused.value)
        assert label("event_type", name) == (name or "Chưa xác định")
