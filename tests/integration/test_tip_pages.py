"""The tip pages without a broker (nothing here is published): the public form needs no sign-in and no
session CSRF token — its own signed token is checked instead (forged → 400, the form back with the error,
hostile text escaped, the contact never echoed; a flood → 429) — while the triage page and its forms are
for BCĐ 389 only and refuse a post without the session's form token (403)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deploy.kafka_broker import free_port
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import open_store
from services.settings import Settings
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration


@pytest.fixture
def app_and_tokens(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=database_url, home=tmp_path, tip_rate_limit="4/minute")
    engine, _ = open_store(settings)
    tokens = {}
    for who, agency in (("bcd389", "bcd389"), ("qltt", "qltt")):
        save_principal(engine, Principal(f"p-{who}", who, agency, Role.AGENCY_OFFICER))
        tokens[who] = issue_token(engine, f"p-{who}")
    try:
        with TestClient(create_app(engine, settings)) as client:
            yield client, tokens
    finally:
        engine.dispose()


def test_the_public_form_checks_its_own_token_escapes_and_limits(
    app_and_tokens: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = app_and_tokens
    page = client.get("/tin-bao")
    assert page.status_code == 200 and 'name="token"' in page.text and 'name="csrf"' not in page.text
    hostile = {
        "category": "counterfeit",
        "description": "<script>alert(1)</script> hàng giả bán trên mạng xã hội",
        "contact": "0933 111 222",
        "token": "forged.token.value",
    }
    refused = client.post("/tin-bao", data=hostile)
    assert refused.status_code == 400 and 'id="tip-error"' in refused.text
    assert "<script>alert(1)</script>" not in refused.text and "&lt;script&gt;" in refused.text
    assert "0933" not in refused.text
    statuses = [client.post("/tin-bao", data=hostile).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_triage_is_bcd389s_and_its_forms_need_the_session_token(
    app_and_tokens: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = app_and_tokens
    assert client.get("/tips", follow_redirects=False).status_code == 303  # to /login
    signed_in_client(client, tokens["qltt"])
    assert client.get("/tips").status_code == 403
    client.cookies.clear()
    signed_in_client(client, tokens["bcd389"])
    page = client.get("/tips")
    assert page.status_code == 200 and 'id="tips"' in page.text
    action = f"/tips/{uuid.uuid4()}/assign"
    assert client.post(action, data={"agency": "qltt"}).status_code == 403  # no session form token
    token = form_token_on(client.get("/notifications"))  # the session's token, as every page carries it
    answer = client.post(action, data={"agency": "qltt", "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303 and "error=" in answer.headers["location"]  # no such tip


def test_a_tip_the_broker_cannot_take_is_a_503_and_its_form_can_be_sent_again(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_url,
        home=tmp_path,
        tip_form_min_s=0,
        kafka_bootstrap=f"127.0.0.1:{free_port()}",  # nothing listens there
        connect_timeout_s=2,
    )
    engine, _ = open_store(settings)
    app = create_app(engine, settings)
    try:
        with TestClient(app) as client:
            token = client.get("/api/public/tips/form").json()["token"]
            body = {
                "category": "counterfeit",
                "description": "Bán hàng giả trên mạng, giá rất rẻ.",
                "token": token,
            }
            first = client.post("/api/public/tips", json=body)
            assert first.status_code == 503 and "chưa gửi được" in first.json()["detail"]
            assert client.post("/api/public/tips", json=body).status_code == 503  # not 409: nothing was sent
    finally:
        app.state.tip_desk.close()
        engine.dispose()
