"""The alert sweep as a job of its own, on a real store and broker: a store it cannot use makes its
/readyz entry say so (after the stall time) while the API stays up; once the store is there the job
recovers by itself, ready again, and its alerts are raised."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consumers.backoff import Backoff
from consumers.liveness import Liveness
from consumers.scheduled_job import ScheduledJob
from consumers.supervisor import Supervisor
from services.api.app import create_app
from services.early_warning import ALERT_JOB, build_alert_job
from services.ops import health
from services.store.alert_store import ALERTS
from services.store.engine import make_engine, migrate
from tests.integration.helpers import isolated_settings
from tests.network_world import build_network_world

pytestmark = pytest.mark.integration


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


def test_an_alert_job_that_cannot_reach_its_store_is_not_ready_and_recovers_by_itself(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url).model_copy(update={"alert_interval_s": 0.2})
    api_engine = make_engine(sqlite_url)
    migrate(api_engine)
    client = TestClient(create_app(api_engine, settings))
    later = tmp_path / "not-yet" / "casehub.db"  # no tables until migrated: our SQL fails, an outage
    job_engine = make_engine(f"sqlite:///{later}")
    liveness = Liveness(ALERT_JOB, stall_after_s=1.0)
    client.app.state.ops.add_check("alert_sweep", health.liveness_check(liveness))  # as `casehub up`

    def build(live: Liveness) -> ScheduledJob:
        return build_alert_job(settings, job_engine, live, publish=False)

    said: list[str] = []
    supervisor = Supervisor(ALERT_JOB, build, liveness, said.append, Backoff(0.5, 0.5, jitter=0))
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: client.get("/readyz").status_code == 503, 30, "the job to report its outage")
        reason = client.get("/readyz").json()["checks"]["alert_sweep"]
        assert reason.startswith("alert sweep has retried the same batch for") and "unavailable" in reason
        assert said == []  # an outage is waited out, never a crash and restart

        world = build_network_world(f"sqlite:///{later}")  # sellers across agencies: alerts to raise
        next(world)
        wait_until(lambda: client.get("/readyz").status_code == 200, 30, "the job to recover")

        def raised() -> int:  # ready again may come before the recovered sweep's alerts are committed
            with job_engine.connect() as connection:
                return int(connection.execute(select(func.count()).select_from(ALERTS)).scalar_one())

        wait_until(lambda: raised() > 0, 30, "the recovered job's alerts")
        world.close()
    finally:
        stop.set()
        thread.join(timeout=30)
        job_engine.dispose()
        api_engine.dispose()
    assert not thread.is_alive() and liveness.problem() == "alert sweep stopped: exited"
