"""Spike: weekly cases of a category in a province far above that series' own baseline.

Method: robust z-score. For each (category, 34-unit province) and week (Monday, Vietnam time), the
baseline is the previous B weeks' counts, zeros included; the week is a spike when its count is at
least `min_cases` and exceeds median + k · max(1.4826 · MAD, 1).
- median and MAD (median absolute deviation) rather than mean and standard deviation: one past spike
  does not inflate the baseline and hide the next, and no distribution is assumed; 1.4826 · MAD
  estimates the standard deviation of normal data, so k reads like a z threshold;
- the floor of 1 on the scale: a quiet series (MAD 0) would otherwise alarm on its first extra case;
- `min_cases`: a jump from 0 to 2 is noise, whatever its z;
- weeks are judged only once a full baseline exists in the data (no alarms at the start of history).
Aggregate, non-personal figures: shared with every agency; the case ids listed are those every agency
may see, the counts include all cases. Told: the agencies whose cases make the week, and BCĐ 389.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import median

from consumers.alerts.building import new_alert
from consumers.alerts.config import AlertConfig
from consumers.alerts.facts import AlertFacts, CaseFact
from schemas.alerts import Alert, AlertRule
from schemas.reference import local_date

COORDINATOR = "bcd389"
MAD_TO_SIGMA = 1.4826


def spike_alerts(facts: AlertFacts, config: AlertConfig, now: datetime) -> list[Alert]:
    weeks: dict[tuple[str, str], dict[date, list[CaseFact]]] = defaultdict(lambda: defaultdict(list))
    for case in facts.cases.values():
        if case.category and case.province and case.opened_at <= now:
            weeks[(case.category, case.province)][week_of(case.opened_at)].append(case)
    if not weeks:
        return []
    first = min(week for series in weeks.values() for week in series)
    alerts = []
    for (category, province), series in sorted(weeks.items()):
        for week, cases in sorted(series.items()):
            baseline = [
                len(series.get(week - timedelta(weeks=i), []))
                for i in range(1, config.spike_baseline_weeks + 1)
            ]
            if week - timedelta(weeks=config.spike_baseline_weeks) < first:
                continue
            threshold = spike_threshold(baseline, config.spike_mads)
            if len(cases) >= config.spike_min_cases and len(cases) > threshold:
                alerts.append(_alert(category, province, week, cases, baseline, threshold, now))
    return alerts


def week_of(moment: datetime) -> date:
    """The Monday of the week a moment falls in, in Vietnam's time."""
    day = local_date(moment)
    return day - timedelta(days=day.weekday())


def spike_threshold(baseline: list[int], mads: float) -> float:
    """median + k · max(1.4826 · MAD, 1): the count a week must exceed."""
    centre = median(baseline)
    spread = median(abs(x - centre) for x in baseline)
    return centre + mads * max(MAD_TO_SIGMA * spread, 1.0)


def _alert(
    category: str,
    province: str,
    week: date,
    cases: list[CaseFact],
    baseline: list[int],
    threshold: float,
    now: datetime,
) -> Alert:
    agencies = {c.owner for c in cases if c.owner} | {COORDINATOR}
    return new_alert(
        AlertRule.SPIKE,
        f"{category}|{province}|{week.isoformat()}",
        f"Tăng đột biến: {len(cases)} vụ việc '{category}' tại tỉnh {province} tuần từ {week:%d/%m/%Y} "
        f"(trung vị {median(baseline):g} vụ/tuần trong {len(baseline)} tuần trước).",
        agencies=agencies,
        triggered_at=max(c.opened_at for c in cases),
        raised_at=now,
        case_ids=[c.case_id for c in cases if not c.restricted],
        counts={
            "cases": len(cases),
            "baseline_median": round(median(baseline)),
            "threshold": math.floor(threshold) + 1,
            "baseline_weeks": len(baseline),
        },
        shared_with_all=True,
    )
