"""Findings (issue 15) of the web layer: no security headers; the session cookie was the raw API token,
lacked Secure and survived sign-out; /login accepted cross-site posts; 50 MB bodies were accepted; ~300
bad-token requests a second went unlimited."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.access.audit import AUDIT
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.access.revocation import revoke_access
from services.api.app import create_app
from services.api.request_limits import MAX_BODY_BYTES
from services.web.relative_redirects import on_this_site
from tests.analyst_world import World
from tests.web_sign_in import CSRF_COOKIE, sign_in, signed_in_client

pytestmark = pytest.mark.integration


def last_status(world: World) -> tuple[str, int]:
    with world.engine.connect() as connection:
        row = connection.execute(select(AUDIT).order_by(AUDIT.c.seq.desc()).limit(1)).one()._mapping
    return row["endpoint"], row["status_code"]


def test_pages_and_the_api_carry_the_security_headers_and_hsts_only_over_tls(world: World) -> None:
    plain = world.client()
    for answer in (plain.get("/login"), plain.get("/api/cases", headers=world.headers("qltt"))):
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert "script-src 'none'" in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in answer.headers
    tls = TestClient(create_app(world.engine), base_url="https://testserver")
    assert tls.get("/login").headers["strict-transport-security"].startswith("max-age=")
    assert "cdn.jsdelivr.net" in plain.get("/docs").headers["content-security-policy"]  # Swagger UI only


def test_the_session_cookie_is_a_server_side_id_revoked_at_sign_out(world: World) -> None:
    client = world.client()
    answer = sign_in(client, world.tokens["qltt"])
    cookie = answer.headers["set-cookie"]
    session_id = client.cookies.get("casehub_session")
    assert session_id and world.tokens["qltt"] not in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert client.get("/cases", follow_redirects=False).status_code == 200
    client.get("/logout", follow_redirects=False)
    thief = world.client()
    thief.cookies.set("casehub_session", session_id)  # a copy taken before sign-out
    assert thief.get("/cases", follow_redirects=False).status_code == 303
    assert thief.get("/api/cases").status_code == 401
    tls = TestClient(create_app(world.engine), base_url="https://testserver")
    assert "Secure" in sign_in(tls, world.tokens["qltt"]).headers["set-cookie"]


@pytest.mark.parametrize("disable", [False, True])
def test_revoking_a_principal_ends_its_web_sessions_and_disabling_ends_the_principal(
    world: World, disable: bool
) -> None:
    """`tokens revoke` revoked the API tokens only: a browser signed in with one stayed signed in for up to
    12 hours. Now both end together; `disable` also refuses a token issued afterwards, until `create`."""
    leaver = Principal(f"t-leaver-{disable}", "Người nghỉ việc", "qltt", Role.ANALYST)
    save_principal(world.engine, leaver)
    token = issue_token(world.engine, leaver.principal_id)
    browser = world.client()
    signed_in_client(browser, token)
    assert browser.get("/cases", follow_redirects=False).status_code == 200
    revoked = revoke_access(world.engine, leaver.principal_id, disable=disable)
    assert (revoked.tokens, revoked.sessions, revoked.disabled) == (1, 1, disable)
    assert browser.get("/cases", follow_redirects=False).status_code == 303
    assert world.client().get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    fresh = issue_token(world.engine, leaver.principal_id)
    answer = world.client().get("/api/cases", headers={"Authorization": f"Bearer {fresh}"})
    assert answer.status_code == (401 if disable else 200)
    save_principal(world.engine, leaver)  # `tokens create` again: enabled
    assert world.client().get("/api/cases", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_sign_in_refuses_cross_site_posts(world: World) -> None:
    client = world.client()
    client.get("/login")
    csrf = client.cookies.get(CSRF_COOKIE)
    form = {"token": world.tokens["qltt"], "next": "/"}
    for extra, headers in (
        ({}, {}),  # no CSRF field
        ({"csrf": "forged"}, {}),
        ({"csrf": csrf}, {"Origin": "https://evil.example"}),
        ({"csrf": csrf}, {"Sec-Fetch-Site": "cross-site"}),
    ):
        refused = client.post("/login", data={**form, **extra}, headers=headers, follow_redirects=False)
        assert refused.status_code == 403, (extra, headers)
        assert "casehub_session" not in refused.headers.get("set-cookie", "")
    assert last_status(world) == ("/login", 403)
    same_site = client.post(
        "/login", data={**form, "csrf": csrf}, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same_site.status_code == 303 and "casehub_session" in same_site.headers["set-cookie"]


def test_a_cookie_never_authorises_a_write(world: World) -> None:
    """The registry's writes take a bearer or basic credential; a browser's cookie on a POST proves nobody."""
    browser = signed_in_client(world.client(), world.tokens["admin"])
    answer = browser.put("/registry/config", json={"compatibility": "NONE"})
    assert answer.status_code == 401


def test_bodies_over_the_limit_are_refused_and_audited(world: World) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    answer = world.client().post("/registry/subjects/s/versions", content=big, headers=world.headers("qltt"))
    assert answer.status_code == 413
    assert last_status(world) == ("/registry/subjects/s/versions", 413)
    streamed = world.client().post(
        "/login", content=iter([b"x" * 600_000, b"x" * 600_000]), headers={"Transfer-Encoding": "chunked"}
    )
    assert streamed.status_code == 413


def test_authentication_failures_are_rate_limited_per_address(world: World) -> None:
    client = TestClient(create_app(world.engine))  # a fresh app: its own failure counts
    statuses = [
        client.get("/api/cases", headers={"Authorization": f"Bearer guess-{n}"}).status_code
        for n in range(25)
    ]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    assert last_status(world) == ("/api/cases", 429)
    still = client.get("/api/cases", headers=world.headers("qltt"))
    assert still.status_code == 429  # the address is blocked for the window, whatever it presents
    other_app = TestClient(create_app(world.engine))
    assert other_app.get("/api/cases", headers=world.headers("qltt")).status_code == 200


def test_an_ipv6_guesser_is_limited_per_network_not_per_address(world: World) -> None:
    """Every IPv6 host may use any of its /64's 2^64 addresses: counted per address, a guesser changing
    address on each request was never limited."""
    app = create_app(world.engine)
    statuses = [
        TestClient(app, client=(f"2001:db8:7:9::{n:x}", 50000))
        .get("/api/cases", headers={"Authorization": f"Bearer guess-{n}"})
        .status_code
        for n in range(1, 26)
    ]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    neighbour = TestClient(app, client=("2001:db8:7:a::1", 50000))  # another /64: its own allowance
    assert neighbour.get("/api/cases", headers=world.headers("qltt")).status_code == 200


@pytest.mark.parametrize("case_id", ["VN%00x", "VN%0Ax", "VN%1Bx", "VN%7Fx", "a" * 65, "VN%2Fx"])
def test_a_case_id_no_case_can_have_is_a_404_on_every_store(world: World, case_id: str) -> None:
    """PostgreSQL refuses NUL in a query: a case id with %00 was a 500 there, before the lookup checked
    that the id could be a case id at all."""
    answer = world.client().get(f"/api/cases/{case_id}", headers=world.headers("qltt"))
    assert answer.status_code == 404 and "Traceback" not in answer.text, answer.text
    assert last_status(world)[1] == 404  # audited too (a NUL kept as ␀)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "127.0.0.1", "xn--80ak6aa92e.com"])
def test_a_redirect_never_names_the_host_the_request_named(world: World, host: str) -> None:
    """Starlette's trailing-slash redirect built its Location from the Host header."""
    client = world.client()
    for path, expected in (("/healthz/", "/healthz"), ("/login/?next=/cases", "/login?next=/cases")):
        answer = client.get(path, headers={"host": host}, follow_redirects=False)
        assert answer.status_code in (307, 308), path
        assert answer.headers["location"] == expected, (path, host)


@given(location=st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_whatever_a_location_says_it_becomes_a_path_of_this_site(location: str) -> None:
    path = on_this_site(location)
    assert path.startswith("/") and not path.startswith(("//", "/\\"))
    assert urlsplit(path).netloc == "" and urlsplit(path).scheme == ""
