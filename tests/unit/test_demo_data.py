"""The demo data set: deterministic, valid under the contract, and telling every kind of event."""

from __future__ import annotations

from collections import defaultdict

from producers.demo_data import demo_events
from schemas.codec import CaseEventCodec
from schemas.events import PAYLOAD_TYPES, CaseReferred, SubjectIdentified
from schemas.validation import check_event

EVENTS = demo_events()


def test_the_demo_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert demo_events() == EVENTS
    assert [e.event_id for e in demo_events(seed=1)] != [e.event_id for e in EVENTS]


def test_every_demo_event_passes_the_contract_and_survives_the_wire() -> None:
    codec = CaseEventCodec()
    for event in EVENTS:
        check_event(event)
        assert codec.decode(codec.encode(event)) == event


def test_the_demo_tells_every_event_type_for_the_requested_number_of_cases() -> None:
    assert {e.event_type for e in EVENTS} == set(PAYLOAD_TYPES)
    assert len({e.case_id for e in EVENTS}) == 40
    assert len({e.case_id for e in demo_events(cases=12)}) == 12


def test_one_phone_number_reaches_the_hub_from_several_agencies() -> None:
    agencies_by_phone: dict[str, set[str]] = defaultdict(set)
    for event in EVENTS:
        if isinstance(event.payload, SubjectIdentified) and event.payload.phone:
            agencies_by_phone[event.payload.phone].add(event.agency)
    assert max(len(agencies) for agencies in agencies_by_phone.values()) >= 3


def test_qltt_refers_cases_to_the_police_who_react_on_the_same_case() -> None:
    referrals = [e for e in EVENTS if isinstance(e.payload, CaseReferred)]
    assert referrals and all((e.agency, e.payload.to_agency) == ("qltt", "police") for e in referrals)
    reacted = {e.case_id for e in EVENTS if e.event_type == "ReactionRecorded" and e.agency == "police"}
    assert {e.case_id for e in referrals} <= reacted


def test_events_of_a_case_never_go_back_in_time_from_its_opening() -> None:
    opened = {e.case_id: e.occurred_at for e in EVENTS if e.event_type == "CaseOpened"}
    late = [e for e in EVENTS if e.event_type != "TipReceived" and e.occurred_at < opened[e.case_id]]
    assert late == []
