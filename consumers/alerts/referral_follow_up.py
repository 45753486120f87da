"""Referral follow-up: a case referred to another agency with no reaction from it within the agreed time.

A reaction is anything the receiving agency did on the case between the referral and the deadline: a
ReactionRecorded (on the case, or naming the referral event) or any event it published there. A late
reaction does not withdraw the alert: the deadline was missed. Judged against the clock passed in, so
the same data and moment always give the same alerts. Told: both agencies (they share the referral).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from consumers.alerts.building import new_alert
from consumers.alerts.config import AlertConfig
from consumers.alerts.facts import AlertFacts, CaseActivity, ReferralFact
from schemas.alerts import Alert, AlertRule


def referral_alerts(facts: AlertFacts, config: AlertConfig, now: datetime) -> list[Alert]:
    allowed = timedelta(days=config.referral_days)
    activity: dict[str, list[CaseActivity]] = defaultdict(list)
    for act in facts.activity:
        activity[act.case_id].append(act)
    alerts = []
    for referral in sorted(facts.referrals, key=lambda r: r.source.event_id):
        deadline = referral.source.occurred_at + allowed
        if now < deadline or _answered(referral, activity[referral.case_id], deadline):
            continue
        source = referral.source
        alerts.append(
            new_alert(
                AlertRule.REFERRAL_OVERDUE,
                source.event_id,
                _summary(referral, config.referral_days),
                agencies=[source.agency, referral.to_agency],
                triggered_at=deadline,
                raised_at=now,
                case_ids=[referral.case_id],
                event_ids=[source.event_id],
                counts={"days_allowed": config.referral_days, "days_overdue": (now - deadline).days},
            )
        )
    return alerts


def _summary(referral: ReferralFact, days: int) -> str:
    source = referral.source
    return (
        f"Quá hạn phản hồi: vụ việc {referral.case_id} do {source.agency} chuyển {referral.to_agency} "
        f"ngày {source.occurred_at:%d/%m/%Y}, chưa có phản hồi sau {days} ngày."
    )


def _answered(referral: ReferralFact, activity: list[CaseActivity], deadline: datetime) -> bool:
    start = referral.source.occurred_at
    return any(act.agency == referral.to_agency and start <= act.occurred_at <= deadline for act in activity)
