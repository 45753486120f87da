"""The API's ops surface on a real broker: lag JSON and page, /metrics, /healthz and /readyz."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from deploy.kafka_broker import free_port
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.kafka_admin import ensure_topics
from services.settings import Settings
from services.store.engine import make_engine, migrate
from tests.integration.helpers import admin_options
from tests.integration.lag_scenarios import commit_offsets, produce
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration


@pytest.fixture
def lagging_group(kafka_bootstrap: str) -> str:
    """A group that committed offsets 1 then 4 of a 10-message topic: 6 behind."""
    topic = f"lag-{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_bootstrap, [topic], partitions=1, security=admin_options())
    produce(kafka_bootstrap, topic, 10)
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit_offsets(kafka_bootstrap, group, topic, [1, 4])
    return group


OPS = Principal("t-ops", "Ops", None, Role.OPS)
ANALYST = Principal("t-analyst", "Analyst", "qltt", Role.ANALYST)


def client_for(
    bootstrap: str, sqlite_url: str, timeout_s: float = 10, who: Principal | None = OPS
) -> TestClient:
    """The API as `who` sees it (signed in by header and cookie, as a scraper and a browser would)."""
    settings = Settings(kafka_bootstrap=bootstrap, database_url=sqlite_url, connect_timeout_s=timeout_s)
    settings.lag_min_distance_s = 0.05  # the scenario commits 0.5 s apart
    engine = make_engine(sqlite_url)
    migrate(engine)  # /readyz writes (and rolls back) a row: the API always serves a migrated store
    if who is None:
        return TestClient(create_app(engine, settings))
    save_principal(engine, who)
    token = issue_token(engine, who.principal_id)
    client = TestClient(create_app(engine, settings))
    signed_in_client(client, token)  # the page reads the session cookie
    client.headers["Authorization"] = f"Bearer {token}"  # the JSON and /metrics: a scraper's token
    return client


def test_the_lag_endpoint_reports_a_group_computed_at_request_time(
    kafka_bootstrap: str, sqlite_url: str, lagging_group: str
) -> None:
    client = client_for(kafka_bootstrap, sqlite_url)
    body = client.get("/api/ops/lag", params={"group": lagging_group}).json()
    [group] = body["groups"]
    [row] = group["partitions"]
    assert (group["group"], row["committed_offset"], row["log_end_offset"], row["lag_messages"]) == (
        lagging_group,
        4,
        10,
        6,
    )
    assert row["lag_seconds"] > 0 and row["status"] in ("OK", "STOP")  # STOP once silent > 0.5 s
    assert [c["offset"] for c in row["window"]] == [1, 4]
    everything = client.get("/api/ops/lag").json()
    assert lagging_group in {g["group"] for g in everything["groups"]}


def test_the_lag_page_is_in_vietnamese_and_lists_the_partitions(
    kafka_bootstrap: str, sqlite_url: str, lagging_group: str
) -> None:
    page = client_for(kafka_bootstrap, sqlite_url).get("/ops/lag", params={"group": lagging_group})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert "Độ trễ của consumer" in html
    assert f"Nhóm {lagging_group}" in html
    assert "Trễ (thời gian)" in html and "Bắt kịp sau" in html


def test_an_unknown_group_is_404_on_the_endpoint_and_the_page(kafka_bootstrap: str, sqlite_url: str) -> None:
    client = client_for(kafka_bootstrap, sqlite_url)
    assert client.get("/api/ops/lag", params={"group": "no-such-group"}).status_code == 404
    page = client.get("/ops/lag", params={"group": "no-such-group"})
    assert page.status_code == 404 and "no-such-group" in page.text


def test_metrics_expose_lag_gauges_of_every_group_once_sampled(
    kafka_bootstrap: str, sqlite_url: str, lagging_group: str
) -> None:
    client = client_for(kafka_bootstrap, sqlite_url)
    client.app.state.ops.sampler.sample()  # type: ignore[attr-defined]
    text = client.get("/metrics").text
    lag = [line for line in text.splitlines() if line.startswith("casehub_consumer_lag_messages{")]
    assert any(f'group="{lagging_group}"' in line and line.endswith(" 6.0") for line in lag)
    assert "casehub_lag_sampler_up 1.0" in text
    assert "process_cpu_seconds_total" in text


def test_readyz_checks_the_broker_and_the_database(kafka_bootstrap: str, sqlite_url: str) -> None:
    client = client_for(kafka_bootstrap, sqlite_url)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"broker": "ok", "database": "ok"}}


def test_readyz_is_503_with_the_reason_when_the_broker_is_down(sqlite_url: str) -> None:
    address = f"127.0.0.1:{free_port()}"
    client = client_for(address, sqlite_url, timeout_s=2)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
    assert address in body["checks"]["broker"]
    assert client.get("/healthz").status_code == 200  # liveness does not depend on Kafka
    lag = client.get("/api/ops/lag")
    assert lag.status_code == 503 and address in lag.json()["detail"]


@pytest.mark.parametrize("who", [None, ANALYST])
def test_lag_and_metrics_answer_the_ops_role_only_and_healthz_stays_open(
    kafka_bootstrap: str, sqlite_url: str, who: Principal | None
) -> None:
    """Finding (issue 15): /api/ops/lag and /metrics answered anonymous callers (police topic volume)."""
    client = client_for(kafka_bootstrap, sqlite_url, who=who)
    status = 401 if who is None else 403
    assert client.get("/api/ops/lag").status_code == status
    assert client.get("/metrics").status_code == status
    page = client.get("/ops/lag", follow_redirects=False)
    assert page.status_code == (303 if who is None else 403)
    assert "casehub.cases" not in page.text
    assert client.get("/healthz").json() == {"status": "ok"}
