"""The spike rule on a simulated year of cases: every flagged week stands above its own baseline."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import median

from consumers.alerts.config import AlertConfig
from consumers.alerts.facts import AlertFacts, CaseFact
from consumers.alerts.spike import spike_alerts, week_of
from consumers.case_fold import fold_case
from consumers.projections import stored_event
from consumers.records import StoredEvent
from producers.simulator import Simulation


def simulated_cases(events: int) -> dict[str, CaseFact]:
    by_case: dict[str, list[StoredEvent]] = defaultdict(list)
    for offset, event in enumerate(Simulation(389).events(events)):
        by_case[event.case_id].append(stored_event(event, "t", 0, offset))
    folded = [fold_case(case_id, evs) for case_id, evs in by_case.items()]
    return {
        c.case_id: CaseFact(
            c.case_id, c.opened_by, c.status, c.category, c.current_province_code, c.first_event_at, False
        )
        for c in folded
    }


def test_simulated_spikes_exceed_median_plus_three_scaled_mads_of_the_twelve_weeks_before() -> None:
    cases = simulated_cases(20_000)
    config = AlertConfig(spike_baseline_weeks=12, spike_mads=3.0, spike_min_cases=4)
    now = max(c.opened_at for c in cases.values())
    spikes = spike_alerts(AlertFacts(cases, [], [], {}, [], [], []), config, now)
    assert spikes, "a simulated year has at least one spike"
    weekly: dict[tuple[str, str], dict[object, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases.values():
        if case.category and case.province:
            weekly[(case.category, case.province)][week_of(case.opened_at)] += 1
    for alert in spikes:
        category, province, week_text = alert.key.split("|")
        series = weekly[(category, province)]
        week = next(w for w in series if str(w) == week_text)
        baseline = [series.get(week - timedelta(weeks=i), 0) for i in range(1, 13)]
        centre = median(baseline)
        spread = median(abs(x - centre) for x in baseline)
        assert series[week] == alert.evidence.counts["cases"] >= 4
        assert series[week] > centre + 3 * max(1.4826 * spread, 1)
    assert len({a.alert_id for a in spikes}) == len(spikes)
