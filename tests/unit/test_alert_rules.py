"""Each alert rule on small, hand-made facts: who is told, what each may see, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from consumers.alerts.config import AlertConfig
from consumers.alerts.evaluation import evaluate
from consumers.alerts.facts import (
    AlertFacts,
    CaseActivity,
    CaseFact,
    CaseLink,
    EntityKey,
    ReferralFact,
    Source,
    ViolationFact,
)
from consumers.alerts.overlap import overlap_alerts
from consumers.alerts.referral_follow_up import referral_alerts
from consumers.alerts.repeat_offender import episodes, repeat_offender_alerts
from consumers.alerts.spike import spike_alerts, spike_threshold, week_of
from schemas.alerts import AlertRule

T0 = datetime(2025, 3, 3, 2, tzinfo=UTC)  # a Monday morning in Vietnam
SHARED = {"level": "ALL_AGENCIES", "agencies": [], "handling": None}
POLICE_ONLY = {"level": "OWNER_ONLY", "agencies": [], "handling": "INVESTIGATION_CONFIDENTIAL"}
ENTITY = "E-0000000000000001"


def source(
    agency: str, event_id: str, at: datetime, distribution: dict[str, Any] = SHARED, **kw: Any
) -> Source:
    return Source(agency, event_id, at, distribution, kw.get("embargo_until"))


def case(case_id: str, owner: str, at: datetime = T0, status: str = "open", **kw: Any) -> CaseFact:
    return CaseFact(
        case_id, owner, status, kw.get("category", "counterfeit"), kw.get("province", "01"), at, False
    )


def facts(**parts: Any) -> AlertFacts:
    values: dict[str, Any] = {
        "cases": {},
        "links": [],
        "keys": [],
        "entity_of": {},
        "violations": [],
        "referrals": [],
        "activity": [],
    }
    values.update(parts)
    return AlertFacts(**values)


def two_agencies(police_distribution: dict[str, Any], **police: Any) -> AlertFacts:
    """QLTT (shared) and police cases on one seller: subjects Q and P share a phone."""
    return facts(
        cases={"CQ": case("CQ", "qltt"), "CP": case("CP", "police")},
        links=[
            CaseLink(ENTITY, "Q", "CQ", source("qltt", "eq", T0)),
            CaseLink(
                ENTITY,
                "P",
                "CP",
                source("police", "ep", T0 + timedelta(days=1), police_distribution, **police),
            ),
        ],
        keys=[
            EntityKey(ENTITY, "Q", "phone", "+84912345678"),
            EntityKey(ENTITY, "P", "phone", "+84912345678"),
        ],
        entity_of={"Q": ENTITY, "P": ENTITY},
    )


def by_recipient(alerts: list[Any]) -> dict[str, Any]:
    return {alert.agencies[0]: alert for alert in alerts}


def test_overlap_tells_each_agency_and_shows_a_confidential_police_case_as_a_hit_only() -> None:
    now = T0 + timedelta(days=10)
    told = by_recipient(overlap_alerts(two_agencies(POLICE_ONLY), now))
    assert set(told) == {"qltt", "police"}
    qltt, police = told["qltt"], told["police"]
    assert qltt.case_ids == ("CQ",) and qltt.evidence.event_ids == ("eq",)
    assert qltt.evidence.hidden_holders == ("police",)
    assert "CP" not in qltt.model_dump_json() and "ep" not in qltt.evidence.event_ids
    assert police.case_ids == ("CP", "CQ") and police.evidence.hidden_holders == ()
    assert police.evidence.identifiers[0].value == "+84912345678"
    assert qltt.distribution.agencies == ("qltt",) and qltt.distribution.level.value == "LISTED_AGENCIES"


def test_an_embargoed_case_is_not_even_a_hit_until_the_embargo_ends() -> None:
    until = T0 + timedelta(days=30)
    data = two_agencies(POLICE_ONLY, embargo_until=until)
    during = by_recipient(overlap_alerts(data, T0 + timedelta(days=10)))
    assert set(during) == {"police"}
    after = by_recipient(overlap_alerts(data, until + timedelta(days=1)))
    assert after["qltt"].evidence.hidden_holders == ("police",)
    assert after["police"].alert_id == during["police"].alert_id  # same finding, same id: no duplicate


def test_overlap_needs_open_cases_of_two_agencies() -> None:
    data = two_agencies(SHARED)
    closed = facts(
        **{**data.__dict__, "cases": {"CQ": case("CQ", "qltt"), "CP": case("CP", "police", status="closed")}}
    )
    assert overlap_alerts(closed, T0 + timedelta(days=5)) == []
    assert len(overlap_alerts(data, T0 + timedelta(days=5))) == 2


def test_repeat_offender_episodes_flag_once_per_window() -> None:
    dated = [(T0 + timedelta(days=d), f"C{d}") for d in (0, 100, 200, 250, 300, 700, 720, 740)]
    found = episodes(dated, 3, timedelta(days=365))
    assert [e.trigger[1] for e in found] == ["C200", "C740"]
    assert [c for _, c in found[0].followers] == ["C250", "C300"]
    assert episodes(dated[:2], 3, timedelta(days=365)) == []


def test_repeat_offender_tells_the_holders_with_what_each_may_see() -> None:
    cases = {
        f"C{i}": case(f"C{i}", agency, T0 + timedelta(days=i))
        for i, agency in enumerate(["qltt", "tax", "police"])
    }
    links = [CaseLink(ENTITY, "S", c, source(f.owner or "", f"s{c}", f.opened_at)) for c, f in cases.items()]
    violations = [
        ViolationFact(
            c,
            "S",
            source(f.owner or "", f"v{c}", f.opened_at, POLICE_ONLY if f.owner == "police" else SHARED),
        )
        for c, f in cases.items()
    ]
    data = facts(cases=cases, links=links, violations=violations, entity_of={"S": ENTITY})
    told = by_recipient(repeat_offender_alerts(data, AlertConfig(repeat_cases=3), T0 + timedelta(days=5)))
    assert set(told) == {"qltt", "tax", "police"}
    assert told["qltt"].case_ids == ("C0", "C1") and told["qltt"].evidence.hidden_holders == ("police",)
    assert told["police"].case_ids == ("C0", "C1", "C2")
    assert repeat_offender_alerts(data, AlertConfig(repeat_cases=4), T0 + timedelta(days=5)) == []


def test_spike_threshold_is_median_plus_k_scaled_mads_with_a_floor() -> None:
    assert spike_threshold([0] * 12, 3.0) == 3.0  # MAD 0: the floor of one case keeps a quiet series calm
    assert spike_threshold([2, 4, 3, 3, 5, 2, 3, 4, 3, 20, 3, 2], 3.0) == 3 + 3 * 1.4826
    assert week_of(datetime(2025, 3, 2, 18, tzinfo=UTC)).isoformat() == "2025-03-03"  # Monday 01:00 in Hanoi


def test_a_spike_needs_a_full_baseline_and_the_minimum_count() -> None:
    quiet = {f"Q{w}": case(f"Q{w}", "qltt", T0 + timedelta(weeks=w)) for w in range(13)}
    burst = {f"B{i}": case(f"B{i}", "customs", T0 + timedelta(weeks=13, hours=i)) for i in range(5)}
    config = AlertConfig(spike_min_cases=4)
    found = spike_alerts(facts(cases={**quiet, **burst}), config, T0 + timedelta(weeks=14))
    assert len(found) == 1 and found[0].rule == AlertRule.SPIKE
    assert found[0].evidence.counts["cases"] == 5 and set(found[0].agencies) == {"bcd389", "customs"}
    assert found[0].distribution.level.value == "ALL_AGENCIES"
    assert (
        spike_alerts(
            facts(cases={**quiet, **burst}), AlertConfig(spike_min_cases=6), T0 + timedelta(weeks=14)
        )
        == []
    )
    early = {f"B{i}": case(f"B{i}", "customs", T0 + timedelta(hours=i)) for i in range(5)}
    assert spike_alerts(facts(cases=early), config, T0 + timedelta(weeks=1)) == []  # no baseline yet


def referral_facts(reaction_after_days: int | None) -> AlertFacts:
    referral = ReferralFact(
        "C1", "police", source("qltt", "r1", T0, {"level": "LISTED_AGENCIES", "agencies": ["police"]})
    )
    activity = (
        []
        if reaction_after_days is None
        else [CaseActivity("C1", "police", T0 + timedelta(days=reaction_after_days), "r1")]
    )
    return facts(referrals=[referral], activity=activity)


def test_a_referral_without_reaction_within_the_agreed_days_is_overdue_against_the_clock_given() -> None:
    config = AlertConfig(referral_days=30)
    assert referral_alerts(referral_facts(None), config, T0 + timedelta(days=29)) == []
    overdue = referral_alerts(referral_facts(None), config, T0 + timedelta(days=45))
    assert len(overdue) == 1
    alert = overdue[0]
    assert alert.agencies == ("police", "qltt") and alert.case_ids == ("C1",)
    assert alert.triggered_at == T0 + timedelta(days=30) and alert.evidence.counts["days_overdue"] == 15
    assert referral_alerts(referral_facts(10), config, T0 + timedelta(days=45)) == []
    assert (
        len(referral_alerts(referral_facts(40), config, T0 + timedelta(days=45))) == 1
    )  # late is still late


def test_evaluating_twice_gives_the_same_alert_ids() -> None:
    data = two_agencies(SHARED)
    first = {a.alert_id for a in evaluate(data, AlertConfig(), T0 + timedelta(days=3))}
    again = {a.alert_id for a in evaluate(data, AlertConfig(), T0 + timedelta(days=9))}
    assert first == again and len(first) == 2
