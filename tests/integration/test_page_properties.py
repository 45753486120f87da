"""Property-based attack on the web UI's pages and forms, every run (the JSON API has schemathesis:
test_api_properties.py). Every GET page and every POST form the app routes — found from the app itself,
so a new page is attacked the day it is added — is called as each role and anonymously with values drawn
by hypothesis: NUL and control characters, lone surrogates sent as bytes that are not UTF-8, broken
percent-escapes, 20,000-character values, edge dates and numbers, and markup carrying a probe tag.

What must hold for every answer: no server error and no traceback; the probe tag never comes back as
markup (it must be escaped); a redirect stays on this site; a form posted without this session's token is
refused; an anonymous caller gets no member page. Prints the figure: routes × callers, calls, failures.
SQLite store (the analyst world); no broker is needed by any page attacked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import Response
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from services.api.app import create_app
from tests.analyst_world import build_world
from tests.run_figures import record
from tests.web_sign_in import CSRF_COOKIE, form_token_on, signed_in_client

pytestmark = pytest.mark.integration
TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "web" / "templates"
PROBE = "<probe-x7 onmouseover=alert(1)>"
PUBLIC_POSTS = {"/login", "/tin-bao"}  # sign-in and citizens' tips: no session, their own guards
NOT_PAGES = ("/api", "/registry", "/static", "/openapi", "/docs", "/redoc")
HEALTH = {"/readyz", "/healthz", "/livez"}  # may say 503 when a dependency is down: that is their job
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f\r\n\t",
    "\u202e\u200b\ufeff",
    "\ud800",
    "\udcff",
    "x" * 20_000,
    "9" * 40,
    str(2**63),
    "-1",
    "0",
    "NaN",
    "1e309",
    "0001-01-01",
    "9999-12-31",
    "2025-13-45",
    "%",
    "%ZZ",
    "%FF%FE",
    "'\"`",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "Mỹ Tho — Đà Nẵng",
    PROBE,
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.builds(lambda a, b: a + PROBE + b, st.text(max_size=8), st.text(max_size=8)),
)


@dataclass
class Tally:
    routes: int = 0
    callers: int = 0
    calls: int = 0
    failures: list[str] = field(default_factory=list)

    def figure(self) -> str:
        return (
            f"page attack: {self.routes} routes × {self.callers} callers, {self.calls} calls, "
            f"{len(self.failures)} failures"
        )


def form_fields() -> list[str]:
    """Every form field name the templates use (a file upload and the viewport meta are not text fields)."""
    names = set()
    for template in TEMPLATES.rglob("*.html"):
        names.update(re.findall(r'name="([a-z_]+)"', template.read_text(encoding="utf-8")))
    return sorted(names - {"file", "viewport", "csrf"})


def encoded(value: str) -> str:
    """A value as a browser would percent-encode it, lone surrogates sent as the bytes they would be."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


BROKEN_ESCAPES = {"%", "%ZZ", "%FF%FE"}


def raw(value: str) -> str:
    """A value put in the query or body as it is if it is one of the broken escapes, else encoded."""
    return value if value in BROKEN_ESCAPES else encoded(value)


@dataclass
class Caller:
    name: str
    client: TestClient
    form_token: str  # '' for the anonymous caller


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, list[Caller]]]:
    yield from opened_site(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def fresh_site(tmp_path: Path) -> Iterator[tuple[object, list[Caller]]]:
    """A site of its own: the attack's failed sign-ins have the shared one's client rate-limited."""
    yield from opened_site(tmp_path)


def opened_site(folder: Path) -> Iterator[tuple[object, list[Caller]]]:
    for world in build_world(f"sqlite:///{folder / 'casehub.db'}"):
        app = create_app(world.engine, clock=lambda clock=world.clock: clock[0])
        callers = [Caller("anonymous", TestClient(app, raise_server_exceptions=False), "")]
        for who, token in world.tokens.items():
            client = signed_in_client(TestClient(app, raise_server_exceptions=False), token)
            callers.append(Caller(who, client, token_of_some_form(app, client)))
        assert sum(1 for caller in callers if caller.form_token) >= 3, "no signed-in caller found a form"
        yield app, callers


def token_of_some_form(app: object, client: TestClient) -> str:
    """The session's form token as its pages carry it ('' when the role has no page with a form)."""
    for path, route in page_routes(app)[0]:
        if not route.dependant.path_params:
            page = client.get(path)
            if page.status_code == 200 and 'name="csrf" value="' in page.text:
                return form_token_on(page)
    return ""


def page_routes(app: object) -> tuple[list[tuple[str, APIRoute]], list[tuple[str, APIRoute]]]:
    """(GET pages, POST forms) of the web UI, as the app routes them."""
    gets, posts = [], []
    for context in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path.startswith(NOT_PAGES):
            continue
        if "GET" in route.methods and context.path not in HEALTH:
            gets.append((context.path, route))
        if "POST" in route.methods:
            posts.append((context.path, route))
    return gets, posts


def filled(path: str, route: APIRoute, value: str) -> str:
    for parameter in route.dependant.path_params:
        path = path.replace("{" + parameter.alias + "}", encoded(value) or "x")
    return path


def on_this_site(location: str) -> bool:
    """A path of this site (services/web/relative_redirects.py: no redirect names a host, not even ours)."""
    return location.startswith("/") and not location.startswith(("//", "/\\"))


def problems(caller: Caller, method: str, path: str, answer: Response) -> list[str]:
    status, body, location = answer.status_code, answer.text, answer.headers.get("location", "")
    where = f"{caller.name} {method} {path[:80]} → {status}"
    found = []
    if status >= 500:
        found.append(f"{where}: server error {body[:150]!r}")
    if "Traceback (most recent call last)" in body:
        found.append(f"{where}: traceback in the page")
    if "<probe-x7" in body and answer.headers.get("content-type", "").startswith("text/html"):
        found.append(f"{where}: markup from the request came back unescaped")
    if location and not on_this_site(location):
        found.append(f"{where}: redirect off the site to {location[:80]!r}")
    return found


def attack_page(caller: Caller, path: str, route: APIRoute, tally: Tally, examples: int) -> None:
    names = [parameter.alias for parameter in route.dependant.query_params]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(path_value=VALUES, query=st.fixed_dictionaries({name: VALUES for name in names}))
    def call(path_value: str, query: dict[str, str]) -> None:
        target = filled(path, route, path_value)
        if query:
            target += "?" + "&".join(f"{name}={raw(value)}" for name, value in query.items())
        tally.calls += 1
        try:
            answer = caller.client.get(target, follow_redirects=False)
        except Exception as error:  # what the app let escape
            tally.failures.append(f"{caller.name} GET {target[:80]}: {error!r}"[:300])
            return
        tally.failures += problems(caller, "GET", target, answer)
        if answer.status_code == 422 and not answer.headers.get("content-type", "").startswith("text/html"):
            tally.failures.append(f"{caller.name} GET {target[:80]} → 422 answered a page with JSON")
        if caller.name == "anonymous" and path not in PUBLIC_PAGES and answer.status_code == 200:
            tally.failures.append(f"anonymous GET {target[:80]} → 200: a member page answered nobody")

    call()


PUBLIC_PAGES = {"/login", "/tin-bao", "/tin-bao/da-gui", "/logout", "/public", "/cong-khai"}


def attack_form(
    caller: Caller, path: str, route: APIRoute, fields: list[str], tally: Tally, examples: int
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path_value=VALUES,
        form=st.dictionaries(st.sampled_from(fields), VALUES, max_size=len(fields)),
        token_kind=st.sampled_from(["right", "right", "wrong", "none"]),
    )
    def call(path_value: str, form: dict[str, str], token_kind: str) -> None:
        target = filled(path, route, path_value)
        token = {"right": caller.form_token, "wrong": "0" * 64, "none": None}[token_kind]
        if path == "/login":  # sign-in's double-submit token is the CSRF cookie
            cookie = caller.client.cookies.get(CSRF_COOKIE, "")
            token = {"right": cookie, "wrong": "0" * 64, "none": None}[token_kind]
        body = "&".join(f"{name}={raw(value)}" for name, value in form.items())
        if token is not None:
            body += f"&csrf={token}"
        tally.calls += 1
        try:
            answer = caller.client.post(
                target,
                content=body.encode("ascii"),
                headers={"content-type": "application/x-www-form-urlencoded"},
                follow_redirects=False,
            )
        except Exception as error:
            tally.failures.append(f"{caller.name} POST {target[:80]}: {error!r}"[:300])
            return
        location = answer.headers.get("location", "")
        tally.failures += problems(caller, "POST", target, answer)
        if path in PUBLIC_POSTS:
            return
        # a JSON 404 comes from no route matching the path (an id with a slash in it): nothing was run;
        # a page's own 404 is HTML, and must not come before the form's token is checked
        unrouted = answer.status_code == 404 and answer.headers.get("content-type") == "application/json"
        # a 307 is the trailing-slash redirect: the request is only run once it is followed
        moved = answer.status_code == 307 and on_this_site(location)
        refused = answer.status_code in (401, 403) or unrouted or moved or location.startswith("/login")
        if (token_kind != "right" or caller.name == "anonymous") and not refused:
            tally.failures.append(
                f"{caller.name} POST {target[:80]} with token {token_kind} → {answer.status_code}: "
                "a form without this session's token was not refused"
            )

    call()


def attack(app: object, callers: list[Caller], examples: int) -> Tally:
    gets, posts = page_routes(app)
    fields = form_fields()
    tally = Tally(routes=len(gets) + len(posts), callers=len(callers))
    for caller in callers:
        for path, route in gets:
            attack_page(caller, path, route, tally, examples)
        for path, route in posts:
            attack_form(caller, path, route, fields, tally, examples)
    return tally


@pytest.mark.timeout(900)
def test_no_page_or_form_answers_hostile_values_with_an_error_a_leak_or_an_open_door(
    site: tuple[object, list[Caller]],
) -> None:
    app, callers = site
    gets, posts = page_routes(app)
    assert len(gets) >= 15 and len(posts) >= 10, "the routes were not found: nothing would be attacked"
    assert {"q", "token", "description", "note"} <= set(form_fields())
    tally = attack(app, callers, examples=4)
    record("page attack", tally.figure())
    assert tally.calls >= tally.routes * tally.callers * 4
    assert tally.failures == [], "\n".join(tally.failures[:20])


@pytest.mark.slow
def test_the_long_page_attack_finds_nothing_either(site: tuple[object, list[Caller]]) -> None:
    app, callers = site
    tally = attack(app, callers, examples=60)
    record("page attack", tally.figure())
    assert tally.failures == [], "\n".join(tally.failures[:20])


def test_a_page_refuses_a_bad_value_with_a_page_naming_the_parameter_and_the_api_keeps_json(
    fresh_site: tuple[object, list[Caller]],
) -> None:
    _app, callers = fresh_site
    anonymous, analyst = callers[0], next(caller for caller in callers if caller.form_token)
    page = anonymous.client.get("/login", params={"failed": PROBE})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "<code>failed</code>" in page.text and "<probe-x7" not in page.text
    stale = analyst.client.post("/notifications/subscribe", data={"csrf": "0" * 64}, follow_redirects=False)
    assert stale.status_code == 403 and stale.headers["content-type"].startswith("text/html")
    assert "reload the page" in stale.text
    api = analyst.client.get("/api/cases", params={"limit": PROBE})
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
    assert api.json()["detail"][0]["loc"] == ["query", "limit"]
