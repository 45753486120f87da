"""The thresholds of the alert rules (from settings; tests pass their own)."""

from __future__ import annotations

from dataclasses import dataclass

from services.settings import Settings


@dataclass(frozen=True)
class AlertConfig:
    repeat_cases: int = 3
    repeat_window_days: int = 365
    spike_baseline_weeks: int = 12
    spike_mads: float = 3.0
    spike_min_cases: int = 4
    referral_days: int = 30

    @classmethod
    def of(cls, settings: Settings) -> AlertConfig:
        return cls(
            repeat_cases=settings.alert_repeat_cases,
            repeat_window_days=settings.alert_repeat_window_days,
            spike_baseline_weeks=settings.alert_spike_baseline_weeks,
            spike_mads=settings.alert_spike_mads,
            spike_min_cases=settings.alert_spike_min_cases,
            referral_days=settings.alert_referral_days,
        )
