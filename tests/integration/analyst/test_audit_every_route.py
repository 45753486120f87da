"""No route can skip the audit: one middleware writes one row per request (services.api.audited_requests).

The walk below sends a request to every route of the app, as nobody, and checks the audit log got exactly
one row for it — so a route added tomorrow is in the walk and must be audited, and only the documented
allow-lists (NEVER_AUDITED, REFUSALS_ONLY) may answer without a row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from starlette.routing import Route
from starlette.testclient import TestClient

from services.access.audit import AUDIT, AuditEntry, AuditLog
from services.access.principal import ANONYMOUS
from services.api.app import create_app
from services.api.audited_requests import NEVER_AUDITED, REFUSALS_ONLY, AuditPolicy, policy_of
from services.api.deps import Reader
from services.api.request_audit import RequestAuditDep
from tests.analyst_world import World
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration


def newest_seq(world: World) -> int:
    with world.engine.connect() as connection:
        return int(connection.execute(select(func.coalesce(func.max(AUDIT.c.seq), 0))).scalar_one())


def rows_after(world: World, seq: int) -> list[dict[str, Any]]:
    with world.engine.connect() as connection:
        found = connection.execute(select(AUDIT).where(AUDIT.c.seq > seq).order_by(AUDIT.c.seq))
        return [dict(row._mapping) for row in found]


def routes_of(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) the app answers."""
    found = []
    for context in iter_route_contexts(app.routes):  # FastAPI's own walk of included routers (OpenAPI's)
        route = context.original_route
        assert isinstance(route, Route) and context.path, f"{route!r}: a mount? walk it here before adding it"
        found += [(method, context.path) for method in sorted((route.methods or set()) - {"HEAD"})]
    return found


def test_every_route_writes_exactly_one_audit_row_unless_allow_listed(world: World) -> None:
    client = world.client()
    routes = routes_of(client.app)  # type: ignore[arg-type]
    assert len(routes) > 70
    stale = (set(NEVER_AUDITED) | set(REFUSALS_ONLY)) - set(routes)
    assert not stale, f"allow-listed routes that no longer exist: {stale}"
    walked = 0
    for method, template in routes:
        policy = policy_of(method, template)
        if policy is AuditPolicy.NEVER:
            continue  # probes and API docs (the reasons are in NEVER_AUDITED)
        before = newest_seq(world)
        answer = client.request(method, re.sub(r"\{[^}]+\}", "x", template), follow_redirects=False)
        written = rows_after(world, before)
        signed_forms = not template.startswith(("/api/", "/registry/", "/login", "/tin-bao"))  # the public
        if method == "POST" and signed_forms:  # tip form and sign-in carry their own tokens
            assert answer.status_code == 403, (template, answer.text)  # a page form without its CSRF token
        audited = policy is AuditPolicy.EVERY_REQUEST or answer.status_code >= 400
        assert len(written) == int(audited), (method, template, answer.status_code, written)
        if written:
            assert (written[0]["method"], written[0]["endpoint"]) == (method, template)
            public = written[0]["principal_id"] == ANONYMOUS.principal_id  # the public hit / no-hit
            assert public or written[0]["principal_id"] is None, written  # nobody signed in
            assert public or written[0]["status_code"] >= 300, written  # refused or sent to sign in
        walked += 1
    assert walked > 60


def test_a_route_added_with_no_audit_code_is_audited_and_a_handler_error_too(world: World) -> None:
    app = create_app(world.engine, clock=lambda: world.clock[0])

    @app.get("/api/plain")
    def plain() -> dict[str, str]:
        return {"audit": "never mentioned here"}

    @app.get("/api/fails")
    def fails(principal: Reader, audit: RequestAuditDep) -> None:
        audit.read(rows=3, resource="VN-2025-QLTT-00001")
        raise RuntimeError("a bug")

    client = TestClient(app)
    before = newest_seq(world)
    assert client.get("/api/plain", params={"q": "x"}).status_code == 200
    failed = client.get("/api/fails", headers=world.headers("qltt"))
    assert failed.status_code == 500 and "Traceback" not in failed.text
    plain_row, failed_row = rows_after(world, before)
    assert (plain_row["endpoint"], plain_row["status_code"], plain_row["filters"]) == (
        "/api/plain",
        200,
        {"q": "x"},
    )
    assert (failed_row["principal_id"], failed_row["status_code"], failed_row["resource"]) == (
        "t-qltt",
        500,
        "VN-2025-QLTT-00001",
    )


def test_refusals_are_audited_once_with_who_was_refused(world: World) -> None:
    client = world.client()
    before = newest_seq(world)
    assert client.get("/api/audit", headers=world.headers("qltt")).status_code == 403
    assert client.get("/api/cases", params={"limit": "none"}, headers=world.headers("tax")).status_code == 422
    assert client.get("/cases", follow_redirects=False).status_code == 303  # no session: sent to sign in
    page = signed_in_client(world.client(), world.tokens["qltt"])
    seq = newest_seq(world)
    assert page.get("/ops/lag").status_code == 403
    refused = [(r["endpoint"], r["principal_id"], r["status_code"]) for r in rows_after(world, before)]
    assert refused[:3] == [("/api/audit", "t-qltt", 403), ("/api/cases", "t-tax", 422), ("/cases", None, 401)]
    assert [(r["endpoint"], r["principal_id"], r["status_code"]) for r in rows_after(world, seq)] == [
        ("/ops/lag", "t-qltt", 403)
    ]


class UnavailableAuditLog(AuditLog):
    """The real log whose store refuses every append (a full disk, a lost database)."""

    def append(self, entry: AuditEntry) -> None:
        raise OperationalError("INSERT INTO audit_log", {}, Exception("no space left on device"))


def test_nothing_is_served_when_the_audit_cannot_be_written(world: World) -> None:
    app = create_app(world.engine, clock=lambda: world.clock[0])
    app.state.audit = UnavailableAuditLog(world.engine, app.state.audit.seal)
    client = TestClient(app)
    served = client.get("/api/cases", headers=world.headers("qltt"))
    assert served.status_code == 503 and "VN-2025" not in served.text
    assert client.get("/api/audit", headers=world.headers("qltt")).status_code == 403  # a refusal goes out


def test_signing_in_and_out_are_audited_with_who(world: World) -> None:
    before = newest_seq(world)
    client = signed_in_client(world.client(), world.tokens["tax"])
    assert client.get("/logout", follow_redirects=False).status_code == 303
    assert client.get("/cases", follow_redirects=False).status_code == 303  # the session is gone
    written = rows_after(world, before)
    assert [(r["method"], r["endpoint"], r["principal_id"], r["status_code"]) for r in written] == [
        ("POST", "/login", "t-tax", 303),
        ("GET", "/logout", "t-tax", 303),
        ("GET", "/cases", None, 401),
    ]


@pytest.mark.parametrize("value", ["a\x00b", "\x01\x1f\x7f", "😀" * 50, ""])
def test_a_query_value_of_any_character_is_audited_never_a_server_error(world: World, value: str) -> None:
    client = world.client()
    before = newest_seq(world)
    answer = client.get("/api/cases", params={"agency": "qltt", "x": value}, headers=world.headers("qltt"))
    assert answer.status_code == 200, answer.text
    (row,) = rows_after(world, before)
    assert (row["endpoint"], row["status_code"], row["filters"]["agency"]) == ("/api/cases", 200, "qltt")
    assert len(row["filters"]["x"]) == len(value)  # kept, character for character
    assert "\x00" not in row["filters"]["x"]  # a NUL shown as ␀ (PostgreSQL stores no NUL)


def test_a_nul_in_a_noted_resource_is_audited_as_a_visible_character(world: World) -> None:
    app = create_app(world.engine, clock=lambda: world.clock[0])

    @app.get("/api/things/{thing_id}")
    def thing(thing_id: str, principal: Reader, audit: RequestAuditDep) -> None:
        audit.refused(404, resource=thing_id)

    before = newest_seq(world)
    assert TestClient(app).get("/api/things/VN%00x", headers=world.headers("qltt")).status_code == 200
    (row,) = rows_after(world, before)
    assert (row["resource"], row["status_code"]) == ("VN\u2400x", 404)
