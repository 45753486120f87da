"""Webhooks to agency systems on SQLite and PostgreSQL, against real HTTP receivers on local ports: signed
bodies (HMAC-SHA256, per-webhook secret), one delivery per fact, retries with doubling back-off, a dead
letter after N attempts that the ops page shows."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import trustme
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from services.api.app import create_app
from services.early_warning import build_alert_outbox
from services.notify.webhook_destinations import resolve_host
from services.notify.webhooks import DELIVERIES, WEBHOOKS, WebhookDispatcher
from services.settings import Settings
from services.store.alert_store import list_alerts
from tests.databases import module_database
from tests.network_world import NOW, NetworkWorld, build_network_world
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration
SETTINGS = Settings(
    webhook_key="k" * 32,
    webhook_backoff_s=1,
    webhook_max_attempts=3,
    webhook_timeout_s=5,
    webhook_allowed_networks=["127.0.0.0/8"],  # the test's receivers listen on loopback
)


class Receiver:
    """A real HTTP server answering every POST with `status`, keeping what it got."""

    def __init__(self, status: int, tls: ssl.SSLContext | None = None) -> None:
        received: list[tuple[dict[str, str], bytes]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkWorld]:
    with module_database(request, tmp_path_factory, "w") as url:
        for world in build_network_world(url):
            build_alert_outbox(Settings(), world.engine, publish=False).sweep(NOW)
            yield world


def client(world: NetworkWorld, settings: Settings = SETTINGS) -> TestClient:
    return TestClient(create_app(world.engine, settings, clock=lambda: NOW))


def register(world: NetworkWorld, who: str, url: str, settings: Settings = SETTINGS) -> Any:
    headers = {"Authorization": f"Bearer {world.tokens[who]}"}
    return client(world, settings).post("/api/webhooks", json={"url": url}, headers=headers)


def repoint(world: NetworkWorld, webhook_id: str, url: str) -> None:
    """The agency re-points its registered hook to `url` (a name registration would not resolve)."""
    with world.engine.begin() as connection:
        connection.execute(update(WEBHOOKS).where(WEBHOOKS.c.webhook_id == webhook_id).values(url=url))


def test_signed_deliveries_reach_the_agency_system_once(world: NetworkWorld) -> None:
    receiver = Receiver(204)
    try:
        made = register(world, "police", receiver.url)
        assert made.status_code == 200, made.text
        secret = made.json()["secret"]
        first = WebhookDispatcher(world.engine, SETTINGS).sweep(NOW)
        assert first.queued > 0 and first.delivered == first.queued == len(receiver.received)
        kinds = set()
        for headers, body in receiver.received:
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Casehub-Signature"], expected)
            sent = json.loads(body)
            assert sent["agency"] == "police" and headers["X-Casehub-Delivery"] == sent["delivery_id"]
            kinds.add(sent["fact_kind"])
        assert kinds == {"alert", "referral"}
        again = WebhookDispatcher(world.engine, SETTINGS).sweep(NOW + timedelta(hours=1))
        assert (again.queued, again.delivered) == (0, 0) and len(receiver.received) == first.delivered
    finally:
        receiver.close()


def test_a_failing_system_is_retried_with_back_off_then_dead_lettered_and_shown_to_ops(
    world: NetworkWorld,
) -> None:
    receiver = Receiver(500)
    try:
        assert register(world, "qltt", receiver.url).status_code == 200
        dispatcher = WebhookDispatcher(world.engine, SETTINGS)
        first = dispatcher.sweep(NOW)
        assert first.failed > 0 and first.delivered == 0 and first.dead == 0
        tries = len(receiver.received)
        assert dispatcher.sweep(NOW + timedelta(seconds=0.5)).failed == 0  # not due: back-off of 1 s
        assert dispatcher.sweep(NOW + timedelta(seconds=1)).failed == first.failed  # 2nd attempt
        assert dispatcher.sweep(NOW + timedelta(seconds=2)).failed == 0  # next after 2 s more
        third = dispatcher.sweep(NOW + timedelta(seconds=3))
        assert third.dead == first.failed and len(receiver.received) == 3 * tries
        assert dispatcher.sweep(NOW + timedelta(days=1)).failed == 0  # given up: never again
    finally:
        receiver.close()
    ops = client(world)
    signed_in_client(ops, world.tokens["ops"])
    page = ops.get("/ops/webhooks")
    assert page.status_code == 200 and page.text.count('class="dead-letter"') == first.failed
    assert "HTTP 500" in page.text and receiver.url in page.text
    analyst = client(world)
    signed_in_client(analyst, world.tokens["qltt"])
    assert analyst.get("/ops/webhooks").status_code == 403


def test_a_delivery_goes_to_the_address_checked_not_to_a_second_lookup(world: NetworkWorld) -> None:
    """DNS rebinding: the check and the connection must use one lookup. The webhook's name (".invalid":
    the system resolver never answers it) resolves, through the dispatcher's resolver, to the receiver's
    loopback address; a delivery that looked the name up again would fail to connect. The receiver still
    sees the name as Host."""
    receiver = Receiver(204)
    port = receiver.server.server_address[1]
    try:
        made = register(world, "police", receiver.url)
        assert made.status_code == 200, made.text
        repoint(world, made.json()["webhook_id"], f"http://agency-hook.invalid:{port}/hook")
        looked_up: list[str] = []

        def resolve(host: str, port: int) -> list[str]:
            looked_up.append(host)
            return ["127.0.0.1"] if host == "agency-hook.invalid" else resolve_host(host, port)

        WebhookDispatcher(world.engine, SETTINGS, resolve=resolve).sweep(NOW)
        assert receiver.received, "nothing reached the checked address"
        assert {headers["Host"] for headers, _ in receiver.received} == {f"agency-hook.invalid:{port}"}
        assert looked_up.count("agency-hook.invalid") == len(receiver.received)  # one lookup per delivery
    finally:
        receiver.close()


@pytest.mark.parametrize("certified", ["agency-hook.invalid", "someone-else.invalid"])
def test_a_pinned_https_delivery_checks_the_certificate_against_the_urls_name(
    world: NetworkWorld, certified: str
) -> None:
    """Connecting to the checked address must not weaken TLS: the receiver's certificate is verified
    against the URL's name (sent as the TLS server name), so a certificate for another name is refused."""
    authority = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(certified).configure_cert(served)
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    receiver = Receiver(204, tls=served)
    port = receiver.server.server_address[1]
    try:
        made = register(world, "police", receiver.url)
        assert made.status_code == 200, made.text
        repoint(world, made.json()["webhook_id"], f"https://agency-hook.invalid:{port}/hook")
        client = httpx.Client(verify=trusted, timeout=5, follow_redirects=False)
        answers = {"agency-hook.invalid": ["127.0.0.1"]}
        dispatcher = WebhookDispatcher(
            world.engine,
            SETTINGS,
            client,
            resolve=lambda host, port: answers.get(host) or resolve_host(host, port),
        )
        dispatcher.sweep(NOW)
        mine = DELIVERIES.c.webhook_id == made.json()["webhook_id"]
        with world.engine.connect() as connection:
            outcomes = [
                (row.delivered_at, row.last_error)
                for row in connection.execute(select(DELIVERIES).where(mine))
            ]
        assert outcomes
        if certified == "agency-hook.invalid":
            assert all(delivered is not None and error is None for delivered, error in outcomes), outcomes
            assert len(receiver.received) == len(outcomes)
            assert {headers["Host"] for headers, _ in receiver.received} == {f"agency-hook.invalid:{port}"}
        else:
            assert receiver.received == []
            assert all(
                delivered is None and "CERTIFICATE_VERIFY_FAILED" in error for delivered, error in outcomes
            )
    finally:
        receiver.close()


def test_more_alerts_than_a_sweep_takes_are_queued_over_the_next_sweeps_oldest_first(
    world: NetworkWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep read the agency's newest 5,000 alerts: in a burst of more, the older part was never sent."""
    from services.notify import webhooks

    monkeypatch.setattr(webhooks, "ALERTS_PER_SWEEP", 1)
    with world.engine.connect() as connection:
        rows, total = list_alerts(connection, agency="police", limit=1_000)
    assert total >= 2, "the world needs several alerts for police"
    receiver = Receiver(204)
    try:
        assert register(world, "police", receiver.url).status_code == 200
        dispatcher = WebhookDispatcher(world.engine, SETTINGS)
        for _ in range(total + 1):
            dispatcher.sweep(NOW)
        sent = [json.loads(body) for _, body in receiver.received]
        alerts = [fact["fact_id"] for fact in sent if fact["fact_kind"] == "alert"]
        assert sorted(alerts) == sorted(row["alert_id"] for row in rows) and len(set(alerts)) == len(alerts)
        oldest_first = sorted(rows, key=lambda row: (row["raised_at"], row["alert_id"]))
        assert alerts == [row["alert_id"] for row in oldest_first]  # one a sweep, in order
    finally:
        receiver.close()


def test_registration_needs_a_key_and_a_plain_url(world: NetworkWorld) -> None:
    for url in (
        "ftp://x.vn/h",
        "http://a b.vn/",
        "http://x.vn/\x00",
        "javascript:alert(1)",
        "http://" + "x" * 600,
    ):
        assert register(world, "qltt", url).status_code == 422, url
    no_key = client(world, Settings()).post(
        "/api/webhooks",
        json={"url": "http://127.0.0.1:1/h"},
        headers={"Authorization": f"Bearer {world.tokens['qltt']}"},
    )
    assert no_key.status_code == 422 and "CASEHUB_WEBHOOK_KEY" in no_key.json()["detail"]
    listed = (
        client(world).get("/api/webhooks", headers={"Authorization": f"Bearer {world.tokens['qltt']}"}).json()
    )
    assert all("secret" not in w for w in listed)


def test_a_webhook_cannot_point_the_hub_at_its_own_network(world: NetworkWorld) -> None:
    """Server-side request forgery: loopback, private, link-local (cloud metadata) and unresolvable hosts are
    refused unless the network is allowed; a webhook whose host stops being allowed is not called."""
    closed = Settings(webhook_key="k" * 32, webhook_max_attempts=1)
    for url in (
        "http://127.0.0.1:8000/api/cases",
        "http://localhost/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/x",
        "http://192.168.1.1/x",
        "http://0.0.0.0/x",
        "http://nobody.invalid/x",
        "http://user:secret@example.com/x",
        "http://example.com:99999/x",
    ):
        answer = register(world, "police", url, closed)
        assert answer.status_code == 422, (url, answer.text)
        assert "Traceback" not in answer.text and answer.json()["detail"], url
    receiver = Receiver(204)
    try:
        assert register(world, "police", receiver.url).status_code == 200  # allowed by SETTINGS
        report = WebhookDispatcher(world.engine, closed).sweep(NOW)  # the allowance is withdrawn
        assert report.queued > 0 and report.delivered == 0 and receiver.received == []
        assert report.dead == report.queued  # one attempt allowed: each kept as a dead letter with why
    finally:
        receiver.close()
