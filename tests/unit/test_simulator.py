"""The traffic simulator: deterministic, valid under the contract, and shaped like the real caseload."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import islice

from producers.simulator import Simulation, simulate_events
from producers.simulator.penalties import maximum_fine
from producers.simulator.weights import BUCKET_CASES_2025, province_weights
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent, CaseOpened, CaseReferred, PenaltyDecided, SubjectIdentified
from schemas.reference import bucket_of
from schemas.validation import check_event

SIMULATION = Simulation(seed=7)
EVENTS = list(SIMULATION.events(20_000))
OPENED = [e for e in EVENTS if isinstance(e.payload, CaseOpened)]


def test_the_same_seed_and_size_give_byte_identical_events_and_another_seed_does_not() -> None:
    codec = CaseEventCodec()
    again = [codec.encode(e) for e in simulate_events(20_000, seed=7)]
    assert again == [codec.encode(e) for e in EVENTS]
    other = [codec.encode(e) for e in simulate_events(3_000, seed=8)]
    assert other != again[:3_000]


def test_exactly_the_requested_number_of_events_is_generated() -> None:
    assert len(EVENTS) == 20_000
    assert len(list(simulate_events(1, seed=1))) == 1


def test_every_simulated_event_passes_the_contract_and_survives_the_wire() -> None:
    codec = CaseEventCodec()
    for event in EVENTS:
        check_event(event)
    for event in islice(EVENTS, 0, None, 7):
        assert CaseEvent.model_validate(event.model_dump()) == event  # built unvalidated for speed
        assert codec.decode(codec.encode(event)) == event


def test_categories_follow_the_bcd_389_buckets_of_2025() -> None:
    buckets = Counter(str(bucket_of(e.payload.category)) for e in OPENED if isinstance(e.payload, CaseOpened))
    total = sum(BUCKET_CASES_2025.values())
    for bucket, cases in BUCKET_CASES_2025.items():
        assert abs(buckets[bucket] / len(OPENED) - cases / total) < 0.02, (bucket, buckets)


def test_provinces_are_weighted_by_population() -> None:
    codes = Counter(e.payload.province_code for e in OPENED if isinstance(e.payload, CaseOpened))
    weights = province_weights()
    hanoi_and_hcmc = weights.share("01") + weights.share("79")
    observed = (codes["01"] + codes["79"]) / len(OPENED)
    assert abs(observed - hanoi_and_hcmc) < 0.03
    assert len(codes) >= 40


def test_codes_change_at_the_2025_province_merger() -> None:
    before = {
        e.payload.province_code
        for e in OPENED
        if isinstance(e.payload, CaseOpened) and e.occurred_at.month < 6
    }
    after = {
        e.payload.province_code
        for e in OPENED
        if isinstance(e.payload, CaseOpened) and e.occurred_at.month > 7
    }
    assert "27" in before and "27" not in after  # Bắc Ninh's old code retired
    assert len(after) <= 34


def test_sellers_reappear_across_agencies_and_the_ground_truth_names_them() -> None:
    truth = SIMULATION.ground_truth()["subject_to_seller"]
    subjects = [e for e in EVENTS if isinstance(e.payload, SubjectIdentified)]
    assert {e.payload.subject_id for e in subjects} <= set(truth)
    agencies: dict[str, set[str]] = defaultdict(set)
    for event in subjects:
        agencies[truth[event.payload.subject_id]].add(event.agency)
    assert sum(len(a) >= 2 for a in agencies.values()) >= 50
    assert max(len(a) for a in agencies.values()) >= 3
    sellers_with_many_subject_ids = Counter(truth.values()).most_common(1)[0][1]
    assert sellers_with_many_subject_ids >= 5


def test_qltt_refers_large_cases_to_the_police_who_open_an_investigation() -> None:
    referrals = [e for e in EVENTS if isinstance(e.payload, CaseReferred)]
    assert referrals and all((e.agency, e.payload.to_agency) == ("qltt", "police") for e in referrals)
    investigations = {
        e.payload.refers_to_event_id
        for e in EVENTS
        if e.event_type == "ReactionRecorded" and e.agency == "police"
    }
    assert {e.event_id for e in referrals} <= investigations


def test_fines_stay_within_the_legal_maxima() -> None:
    category_of = {e.case_id: e.payload.category for e in OPENED if isinstance(e.payload, CaseOpened)}
    penalties = [e for e in EVENTS if isinstance(e.payload, PenaltyDecided)]
    assert len(penalties) > 1_000
    for event in penalties:
        payload = event.payload
        assert isinstance(payload, PenaltyDecided)
        organisation = (payload.violator_name or "").startswith(("Công ty", "Hộ kinh doanh"))
        ceiling = maximum_fine(category_of[event.case_id], organisation=organisation)
        assert payload.fine_vnd >= 500_000
        if ceiling is not None:
            assert payload.fine_vnd <= ceiling, (category_of[event.case_id], payload.fine_vnd)


def test_a_case_never_goes_back_in_time_after_its_opening() -> None:
    opened = {e.case_id: e.occurred_at for e in OPENED}
    late = [e for e in EVENTS if e.event_type != "TipReceived" and e.occurred_at < opened[e.case_id]]
    assert late == []


def test_runs_with_another_event_count_share_no_event_id_with_other_content() -> None:
    """Ids come from the content: two runs never give one id to two different events (which the hub would
    have to dead-letter) and never mix two stories under one case id."""
    first = {e.event_id: e for e in simulate_events(600, seed=7)}
    second = {e.event_id: e for e in simulate_events(700, seed=7)}
    shared = first.keys() & second.keys()
    assert all(first[i] == second[i] for i in shared)
    assert not {e.case_id for e in first.values()} & {e.case_id for e in second.values()}
    again = {e.event_id for e in simulate_events(600, seed=7)}
    assert again == first.keys()
