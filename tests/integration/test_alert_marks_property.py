"""The notifier's paging of alerts (services/notify/alert_marks.py), attacked with any burst: alerts raised
with ties, committed late (but within MARK_SETTLE of being raised, the contract the mark relies on) behind
marks and read-aheads, sweeps at any moments, pages of any size. Whatever the order, every alert is read at
last, the mark never moves back, and it only ever passes settled alerts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.alerts.building import new_alert
from schemas.alerts import AlertRule
from services.notify import alert_marks
from services.notify.alert_marks import MARK_SETTLE, Mark, alerts_after
from services.store.alert_store import add_alerts, alert_row
from services.store.engine import make_engine, migrate

pytestmark = pytest.mark.integration
BASE = datetime(2026, 12, 7, tzinfo=UTC)

# (seconds after BASE the alert was raised, seconds until its rule run commits it: under MARK_SETTLE)
alerts_and_commits = st.lists(st.tuples(st.integers(0, 600), st.integers(0, 290)), min_size=1, max_size=25)
sweep_gaps = st.lists(st.integers(0, 200), min_size=8, max_size=8)  # seconds between sweeps


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(alerts=alerts_and_commits, gaps=sweep_gaps, page=st.integers(1, 4))
def test_every_alert_is_read_at_last_whatever_the_commit_order(
    tmp_path: Path, alerts: list[tuple[int, int]], gaps: list[int], page: int
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / f'marks-{uuid.uuid4().hex}.db'}")  # a store per example
    migrate(engine)
    made = [
        (
            BASE + timedelta(seconds=raised + delay),
            new_alert(
                AlertRule.REPEAT_OFFENDER,
                f"k{n}",
                f"alert {n}",
                agencies=["police"],
                triggered_at=BASE,
                raised_at=BASE + timedelta(seconds=raised),
                entity_id=f"S{n}",
            ),
        )
        for n, (raised, delay) in enumerate(alerts)
    ]
    read: set[str] = set()
    mark: Mark | None = None
    ahead: Mark | None = None
    now = BASE
    moments = [*gaps, 900, *[1] * 30]  # then everything committed and settled: sweeps read on to the end
    with mock.patch.object(alert_marks, "ALERTS_PER_SWEEP", page), engine.begin() as connection:
        committed: set[str] = set()
        for gap in moments:
            now += timedelta(seconds=gap)
            due = [a for at, a in made if at <= now and str(a.alert_id) not in committed]
            if due:
                add_alerts(connection, [alert_row(a) for a in due])
                committed.update(str(a.alert_id) for a in due)
            got = alerts_after(connection, "police", BASE - timedelta(days=1), mark, now, ahead)
            read.update(str(a["alert_id"]) for a in got.alerts)
            if got.mark is not None:
                assert mark is None or got.mark >= mark  # never back
                assert got.mark[0] < now - MARK_SETTLE  # only over settled alerts
            mark, ahead = got.mark, got.ahead
    engine.dispose()
    assert read == {str(a.alert_id) for _, a in made}
