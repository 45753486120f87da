"""An alert sink that keeps what it is given, for tests of the alert rules on real data."""

from __future__ import annotations

from collections.abc import Sequence

from consumers.alerts.sink import AlertSink
from schemas.alerts import Alert


class ListAlertSink(AlertSink):
    """Keeps the alerts in a list instead of sending them to the agencies' alert topics."""

    def __init__(self) -> None:
        self.published: list[Alert] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.published.extend(alerts)

    def close(self) -> None:
        return None
