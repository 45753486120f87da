"""All alert rules over one read of the facts, at a given moment."""

from __future__ import annotations

from datetime import datetime

from consumers.alerts.config import AlertConfig
from consumers.alerts.facts import AlertFacts
from consumers.alerts.overlap import overlap_alerts
from consumers.alerts.referral_follow_up import referral_alerts
from consumers.alerts.repeat_offender import repeat_offender_alerts
from consumers.alerts.spike import spike_alerts
from schemas.alerts import Alert


def evaluate(facts: AlertFacts, config: AlertConfig, now: datetime) -> list[Alert]:
    """Every alert the data supports at `now`; ids are deterministic, so evaluating twice adds nothing."""
    return [
        *overlap_alerts(facts, now),
        *repeat_offender_alerts(facts, config, now),
        *spike_alerts(facts, config, now),
        *referral_alerts(facts, config, now),
    ]
