"""The thresholds of the alert rules (services.early_warning.alert_config reads them from settings; tests pass
their own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertConfig:
    repeat_cases: int = 3
    repeat_window_days: int = 365
    spike_baseline_weeks: int = 12
    spike_mads: float = 3.0
    spike_min_cases: int = 4
    referral_days: int = 30
