"""Edge values every route must refuse with a 4xx naming them, checked over the API's own OpenAPI so a new
route is covered without being listed.

- Every integer a caller can put in a query or a path has an upper bound: an unbounded one reached the store
  (`/api/ops/deadletters?offset=` with 40 digits was a 500 from SQLite, found by hand in session 17; the
  bounded schemathesis run seldom draws such values). 10^40 in each is a 422.
- A JSON body whose string escapes half of a UTF-16 pair alone (`"\\ud800"`) is a 400 on every route that
  takes a body: it was a 500 from subscriptions, webhooks, referrals, inbox actions and ingest (the store or
  the answer could not encode it; found by hand in session 17 — generated strings never hold one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

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


def test_a_lone_surrogate_in_any_json_body_is_a_400(client: TestClient) -> None:
    tokens = {p.role: demo_token(p) for p in DEMO_PRINCIPALS}
    answers = {}
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
            for body in (b'{"a": "\\ud800"}', b'["x\\udfff"]', b'{"\\udc00": 1}'):
                response = client.request(
                    method,
                    url,
                    content=body,
                    headers={
                        "Authorization": f"Bearer {tokens[Role.ADMIN]}",
                        "Content-Type": "application/json",
                    },
                )
                answers[f"{method.upper()} {path} {body!r}"] = (response.status_code, response.text)
    assert len(answers) >= 30  # every route with a body, three bodies each
    wrong = {
        key: answer
        for key, answer in answers.items()
        if answer[0] != 400 or "lone surrogate" not in answer[1]
    }
    assert wrong == {}
    pair = client.post(
        "/api/subscriptions",
        # a whole pair is one character: the route judges it
        content=b'{"kind": "seller", "value": "\\ud83d\\ude00"}',
        headers={"Authorization": f"Bearer {tokens[Role.ANALYST]}", "Content-Type": "application/json"},
    )
    assert pair.status_code != 400 or "lone surrogate" not in pair.text
