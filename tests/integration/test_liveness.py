"""Liveness that tells the truth, on the real broker and store: a consumer that stops or cannot write
makes /readyz fail and shows in the lag report; a group that never committed is counted."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from sqlalchemy import Engine, create_engine

from consumers.backoff import Backoff
from consumers.kafka_dead_letters import KafkaDeadLetterSink
from consumers.liveness import Liveness
from consumers.materializer import Materializer
from consumers.store_errors import StoreUnavailable
from consumers.supervisor import Supervisor
from producers.demo_data import demo_events
from services.access.demo import seed_demo_principals
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import agency_source, build_codec, build_publisher, create_topics, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role as KafkaRole
from services.kafka_admin import ensure_topics
from services.ops import health
from services.ops.burrow import LagStatus
from services.ops.consumer_monitor import ConsumerMonitor
from services.ops.kafka_offsets import KafkaClusterOffsets
from services.ops.lag import LagWindow, consumer_lag, hub_groups
from services.settings import Settings
from services.store.sql_store import SqlCaseStore
from tests.databases import upgraded
from tests.integration.faults import stored_count
from tests.integration.helpers import admin_options, isolated_settings, ops_options
from tests.integration.lag_scenarios import commit_offsets, produce

pytestmark = pytest.mark.integration
WINDOW = LagWindow(intervals=3, min_distance_s=0.05, lookback_s=300)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


def published(settings: Settings, cases: int = 6) -> int:
    create_topics(settings)
    events = demo_events(cases=cases)
    publisher = build_publisher(settings)
    assert publisher.publish(events).sent == len(events)
    publisher.close()
    return len(events)


def dead_letter_sink(settings: Settings) -> KafkaDeadLetterSink:
    return KafkaDeadLetterSink(
        bootstrap=settings.kafka_bootstrap,
        topic=settings.dead_letter_topic,
        connect_timeout_s=10,
        security=client_options(settings, KafkaRole.DEAD_LETTERS),
    )


class CrashingTopics:
    """The decoder's topic → agency hook, raising for the first `crashes` calls: a bug in the loop."""

    def __init__(self, settings: Settings, crashes: int) -> None:
        self.settings = settings
        self.crashes = crashes

    def __call__(self, topic: str) -> str | None:
        if self.crashes > 0:
            self.crashes -= 1
            raise RuntimeError("bug in the batch loop")
        return self.settings.agency_of_topic(topic)


def test_a_crashed_materializer_fails_readyz_shows_in_lag_and_is_restarted(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    total = published(settings)
    engine, store = open_store(settings)
    client = TestClient(create_app(engine, settings))
    liveness = Liveness("materializer", stall_after_s=30)
    client.app.state.ops.add_check("materializer", health.liveness_check(liveness))  # as `casehub up`
    crashing = CrashingTopics(settings, crashes=2)

    def build(live: Liveness) -> Materializer:
        return Materializer(
            source=agency_source(settings, settings.consumer_group, store),
            store=store,
            dead_letter_sink=dead_letter_sink(settings),
            codec=build_codec(settings),
            group=settings.consumer_group,
            topic_agency=crashing,
            liveness=live,
        )

    said: list[str] = []
    supervisor = Supervisor("materializer", build, liveness, said.append, Backoff(5.0, 5.0, jitter=0))
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stop,), daemon=True)
    thread.start()
    cluster = KafkaClusterOffsets(kafka_bootstrap, timeout_s=10, security=ops_options())
    try:
        wait_until(lambda: bool(said), 60, "the first crash")
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["materializer"].startswith(
            "materializer stopped: RuntimeError: bug in the batch loop"
        )
        assert "restarting in 5s (restart 1)" in said[0]
        # Closed on the crash: nobody consumes, nothing was ever committed — and lag says so.
        report = consumer_lag(cluster, WINDOW, [settings.consumer_group], expected=hub_groups(settings))
        [group] = report.groups
        waiting = [row for row in group.partitions if row.lag_messages]
        assert group.lag_messages == total and waiting
        assert all(row.committed_offset is None and row.status == LagStatus.STOP for row in waiting)
        assert group.status == LagStatus.ERR

        wait_until(lambda: stored_count(engine) >= total, 90, "the restarted materializer")
        wait_until(lambda: client.get("/readyz").status_code == 200, 30, "ready again")
        assert liveness.restarts == 2 and len(said) == 2
        wait_until(
            lambda: consumer_lag(cluster, WINDOW, [settings.consumer_group]).groups[0].lag_messages == 0,
            30,
            "the restarted materializer's commits",
        )
    finally:
        stop.set()
        thread.join(timeout=30)
        cluster.close()
    assert not thread.is_alive()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def run_quietly(materializer: Materializer, stop: threading.Event) -> None:
    """Stopping mid-retry raises the outage (by design); the liveness keeps it, the test need not."""
    with contextlib.suppress(StoreUnavailable):
        materializer.run(stop)


def read_only_engine(path: Path) -> Engine:
    """The same SQLite file opened read-only: every write fails, every SELECT 1 still answers."""
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_a_store_that_cannot_be_written_fails_readyz_and_answers_one_line(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    settings = isolated_settings(kafka_bootstrap, upgraded(f"sqlite:///{path}")).model_copy(
        update={"metrics_port": 0, "consumer_stall_s": 2.0}
    )
    published(settings, cases=2)
    writable, _ = open_store(settings)
    seed_demo_principals(writable)
    frozen = read_only_engine(path)
    monitor = ConsumerMonitor(settings, frozen)
    liveness = Liveness("materializer", stall_after_s=settings.consumer_stall_s)
    materializer = Materializer(
        source=agency_source(settings, settings.consumer_group, SqlCaseStore(writable)),
        store=SqlCaseStore(frozen),
        dead_letter_sink=dead_letter_sink(settings),
        codec=build_codec(settings),
        group=settings.consumer_group,
        topic_agency=settings.agency_of_topic,
        liveness=liveness,
    )
    server = monitor.start(materializer.source, liveness)
    assert server is not None
    stop = threading.Event()
    thread = threading.Thread(target=run_quietly, args=(materializer, stop), daemon=True)
    thread.start()
    try:
        wait_until(lambda: liveness.problem() is not None, 60, "the retries to outlast consumer_stall_s")
        status, body = get(f"{server.url}/readyz")
        assert status == 503
        assert "materializer has retried the same batch for" in body and "readonly database" in body
        assert "store cannot be written" in body
        # Lag tells the same story: a member owns the partitions, commits nothing, messages wait.
        cluster = KafkaClusterOffsets(kafka_bootstrap, timeout_s=10, security=ops_options())
        try:
            [group] = consumer_lag(
                cluster, WINDOW, [settings.consumer_group], expected=hub_groups(settings)
            ).groups
        finally:
            cluster.close()
        waiting = [row for row in group.partitions if row.lag_messages]
        assert waiting and all(row.member and row.status == LagStatus.STOP for row in waiting)

        api = TestClient(create_app(frozen, settings, demo_logins=True))  # the demo tokens seeded above
        ready = api.get("/readyz")
        assert ready.status_code == 503 and "readonly database" in ready.json()["checks"]["database"]
        token = {"Authorization": "Bearer demo-bcd389-analyst"}
        answer = api.get("/api/cases", headers=token)  # the audit log append cannot be written
        assert answer.status_code == 503, answer.text
        assert answer.json()["detail"] == "the audit log is unavailable; nothing was served"
        page = api.get("/cases", headers=token, follow_redirects=False)
        assert page.status_code == 503 and "Traceback" not in page.text  # pages too: nothing unaudited

        garbage = tmp_path / "garbage.db"
        garbage.write_bytes(b"not a database " * 100)  # every statement fails, reads included
        broken = TestClient(create_app(create_engine(f"sqlite:///{garbage}"), settings, demo_logins=True))
        for where in ("/api/cases", "/api/public/stats", "/readyz"):
            answer = broken.get(where, headers=token)
            assert answer.status_code in (500, 503), (where, answer.status_code)
            assert "Traceback" not in answer.text and 'File "' not in answer.text
        assert "(reference " in broken.get("/api/cases", headers=token).json()["detail"]
        page = broken.get("/cases", headers=token, follow_redirects=False)
        assert page.status_code in (303, 500, 503) and "Traceback" not in page.text
    finally:
        stop.set()
        thread.join(timeout=30)
        monitor.stop()
        materializer.close()
    assert stored_count(writable) == 0
    assert (liveness.problem() or "").startswith("materializer stopped")


def test_lag_counts_a_group_that_never_committed_and_partitions_it_never_committed(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    total = published(settings, cases=8)
    cluster = KafkaClusterOffsets(kafka_bootstrap, timeout_s=10, security=ops_options())
    try:
        everything = consumer_lag(cluster, WINDOW, expected=hub_groups(settings))
        [group] = [g for g in everything.groups if g.group == settings.consumer_group]
        assert group.lag_messages == total and group.state in ("Empty", "Dead", "Unknown")
        assert {row.committed_offset for row in group.partitions} == {None}
        assert {row.status for row in group.partitions if row.lag_messages} == {LagStatus.STOP}

        # A group that committed one partition only: the others' messages count too.
        topic = f"partial-{settings.consumer_group}"
        ensure_topics(kafka_bootstrap, [topic], partitions=3, security=admin_options())
        produce(kafka_bootstrap, topic, 30)
        other = f"{settings.consumer_group}-partial"
        commit_offsets(kafka_bootstrap, other, topic, [0])  # partition 0, nothing read
        [partial] = consumer_lag(cluster, WINDOW, [other]).groups
        assert partial.lag_messages == 30 and len(partial.partitions) == 3
        assert sorted(str(row.committed_offset) for row in partial.partitions) == ["0", "None", "None"]
    finally:
        cluster.close()

    engine = open_store(settings)[0]
    ops = Principal("t-liveness-ops", "Ops", None, Role.OPS)
    save_principal(engine, ops)
    api = TestClient(create_app(engine, settings))
    token = {"Authorization": f"Bearer {issue_token(engine, ops.principal_id)}"}
    body = api.get("/api/ops/lag", params={"group": settings.consumer_group}, headers=token).json()
    assert body["groups"][0]["lag_messages"] == total
    monitor = api.app.state.ops
    monitor.sampler.sample()
    metrics = generate_latest(monitor.registry).decode()
    expected_line = f'casehub_consumer_group_status{{group="{settings.consumer_group}",status="ERR"}} 1.0'
    assert expected_line in metrics
