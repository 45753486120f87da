"""What the alert outbox needs from a store: the facts the rules judge, and an outbox of alerts kept once
by id and marked when published. The SQL store implements it (services.store.alert_store.SqlAlertStore);
tests/fakes.py has an in-memory subclass; tests/integration/test_alert_store_contract.py runs one suite on
all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime

from consumers.alerts.facts import AlertFacts
from schemas.alerts import Alert


class AlertStore(ABC):
    @abstractmethod
    def facts(self) -> AlertFacts:
        """Everything the rules judge, in one consistent read."""

    @abstractmethod
    def add_alerts(self, alerts: Sequence[Alert]) -> list[str]:
        """Keep the alerts not held yet (by alert id); the ids of the new ones, in the order given."""

    @abstractmethod
    def unpublished(self, limit: int = 500) -> list[Alert]:
        """Alerts not marked published yet, oldest raised first (ties by id)."""

    @abstractmethod
    def mark_published(self, alert_ids: Iterable[str], at: datetime) -> None:
        """Mark these alerts published (ids not held are ignored)."""
