"""Edge values every route must refuse with a 4xx naming them, checked over the API's own OpenAPI so a new
route is covered without being listed.

- Every integer a caller can put in a query or a path has an upper bound: an unbounded one reached the store
  (`/api/ops/deadletters?offset=` with 40 digits was a 500 from SQLite, found by hand in session 17; the
  bounded schemathesis run seldom draws such values). 10^40 in each is a 422.
- Any JSON at all in any body (hypothesis: every code point including lone surrogates and NUL, numbers
  past every bound, the routes' own field names) is never a 5xx.
- What `json.loads` reads but no JSON text holds — a string escaping half of a UTF-16 pair alone
  (`"\\ud800"`), NaN, Infinity, a number past the largest double — is a 400 on every route that takes a
  body: it was a 500 from subscriptions, webhooks, referrals, inbox actions and ingest (the store, the audit
  or the 422's echo could not encode it; found by hand and by the hypothesis test below, session 17).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.access.demo import DEMO_PRINCIPALS, demo_token, seed_demo_principals
from services.access.principal import Role
from services.api.app import create_app
from services.settings import Settings
from services.store.engine import make_engine, migrate

pytestmark = pytest.mark.integration


def integer_schemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if schema.get("type") == "integer":
        yield schema
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from integer_schemas(part)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = Path(tmp_path_factory.mktemp("bounds"))
    engine = make_engine(f"sqlite:///{home / 'casehub.db'}")
    migrate(engine)
    seed_demo_principals(engine)
    app = create_app(engine, Settings(home=home, connect_timeout_s=1), demo_logins=True)
    with TestClient(app) as served:
        yield served
    engine.dispose()


def integer_parameters(client: TestClient) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for schema in integer_schemas(parameter.get("schema", {})):
                    found.append((method, path, parameter, schema))
    return found


def test_every_integer_parameter_has_an_upper_bound(client: TestClient) -> None:
    parameters = integer_parameters(client)
    assert len(parameters) >= 10  # limit and offset of every list, at least
    unbounded = [
        f"{method.upper()} {path} {parameter['name']}"
        for method, path, parameter, schema in parameters
        if "maximum" not in schema and "exclusiveMaximum" not in schema
    ]
    assert unbounded == []


def test_a_forty_digit_integer_is_a_422_wherever_it_goes(client: TestClient) -> None:
    tokens = {p.role: demo_token(p) for p in DEMO_PRINCIPALS}
    huge = "1" + "0" * 40
    answers = {}
    for method, path, parameter, _schema in integer_parameters(client):
        if method != "get":
            continue
        role = Role.OPS if path.startswith("/api/ops") else Role.ADMIN if "audit" in path else Role.ANALYST
        url = path
        params = {}
        if parameter["in"] == "path":
            url = path.replace("{" + parameter["name"] + "}", huge)
        else:
            params[parameter["name"]] = huge
        for name in {n.strip("{}") for n in url.split("/") if n.startswith("{")}:
            url = url.replace("{" + name + "}", "1")
        response = client.get(url, params=params, headers={"Authorization": f"Bearer {tokens[role]}"})
        answers[f"{path} {parameter['name']}"] = response.status_code
    assert answers and all(code == 422 for code in answers.values()), answers


BEYOND_JSON = {
    b'{"a": "\\ud800"}': "lone surrogate",
    b'["x\\udfff"]': "lone surrogate",
    b'{"\\udc00": 1}': "lone surrogate",
    b'{"a": NaN}': "NaN and Infinity",
    b"[-Infinity]": "NaN and Infinity",
    b'{"a": 1e999}': "past the largest",
}


def test_what_no_json_text_holds_is_a_400_in_any_body(client: TestClient) -> None:
    tokens = {p.role: demo_token(p) for p in DEMO_PRINCIPALS}
    answers = {}
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
            for body, reason in BEYOND_JSON.items():
                response = client.request(
                    method,
                    url,
                    content=body,
                    headers={
                        "Authorization": f"Bearer {tokens[Role.ADMIN]}",
                        "Content-Type": "application/json",
                    },
                )
                answers[f"{method.upper()} {path} {body!r}"] = (response.status_code, reason in response.text)
    assert len(answers) >= 60  # every route with a body, each body
    assert {key: answer for key, answer in answers.items() if answer != (400, True)} == {}
    pair = client.post(
        "/api/subscriptions",
        # a whole pair is one character, 1e308 a double, "NaN" a string: the route judges them
        content=b'{"kind": "seller", "value": "\\ud83d\\ude00", "x": 1e308, "y": "NaN"}',
        headers={"Authorization": f"Bearer {tokens[Role.ANALYST]}", "Content-Type": "application/json"},
    )
    assert pair.status_code != 400, pair.text


ANY_TEXT = st.text(
    st.characters(codec=None, categories=None)  # any code point at all ...
    | st.characters(
        min_codepoint=0xD800, max_codepoint=0xDFFF, codec=None, categories=None
    )  # ... halves often
    | st.sampled_from(["\x00", "\u202e", "\ufeff", "'", "%", "_", "\\"]),
    max_size=40,
)
FIELD_NAMES = st.sampled_from(
    ["kind", "value", "url", "case_id", "to_agency", "reason", "note", "category", "description", "schema",
     "compatibility", "agency", "answer", "event_id", "email", "events", "state"]
)  # fmt: skip
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(FIELD_NAMES | ANY_TEXT, inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_json_in_any_body_is_never_a_server_error(client: TestClient, data: st.DataObject) -> None:
    tokens = {p.role: demo_token(p) for p in DEMO_PRINCIPALS}
    routes = sorted(
        (method, path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    )
    method, path = data.draw(st.sampled_from(routes))
    role = data.draw(st.sampled_from([Role.ANALYST, Role.ADMIN]))  # allowed most: bodies get read
    fields = data.draw(st.dictionaries(FIELD_NAMES, ANY_JSON, min_size=1, max_size=5))  # the routes' names
    body = json.dumps(data.draw(st.just(fields) | ANY_JSON)).encode()  # ASCII: a lone half as its escape
    url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
    response = client.request(
        method,
        url,
        content=body,
        headers={"Authorization": f"Bearer {tokens[role]}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, (method, path, body[:300], response.text[:300])
