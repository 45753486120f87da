"""The hub's Confluent-compatible schema registry over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from schemas.catalog import ENVELOPE_RECORD, bundled_catalog
from services.access.audit import AUDIT
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import open_store
from services.registry.seed import agency_subjects
from services.registry.service import SchemaRegistry
from services.registry.store import FIRST_REGISTERED_ID
from services.settings import Settings

pytestmark = pytest.mark.integration
MEDIA = "application/vnd.schemaregistry.v1+json"
QLTT = "casehub.cases.qltt-value"
REGISTRY = "http://testserver/registry"  # the Confluent paths live under /registry


STEWARD = Principal("t-steward", "Schema steward", None, Role.SCHEMA_STEWARD)
ANALYST = Principal("t-analyst", "QLTT analyst", "qltt", Role.ANALYST)


def signed_in(engine: Engine, principal: Principal = STEWARD) -> dict[str, str]:
    """The Authorization header of a fresh token of `principal` (a schema steward by default)."""
    save_principal(engine, principal)
    return {"Authorization": f"Bearer {issue_token(engine, principal.principal_id)}"}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The registry as a schema steward sees it."""
    engine, _ = open_store(Settings(database_url=database_url))
    with TestClient(create_app(engine), base_url=REGISTRY, headers=signed_in(engine)) as test_client:
        yield test_client
    engine.dispose()


def post(client: TestClient, path: str, body: dict[str, Any]) -> Response:
    return client.post(path, content=json.dumps(body), headers={"Content-Type": MEDIA, "Accept": MEDIA})


def avro(schema: Any) -> dict[str, Any]:
    return {"schema": json.dumps(schema), "schemaType": "AVRO", "references": []}


def record(*fields: tuple[str, Any, Any]) -> dict[str, Any]:
    """A record `Tip` with (name, type, default) fields; default ... means none."""
    return {
        "type": "record",
        "name": "Tip",
        "namespace": "vn.casehub.test",
        "fields": [{"name": n, "type": t, **({} if d is ... else {"default": d})} for n, t, d in fields],
    }


TIP_V1 = record(("tip_id", "string", ...))
TIP_V2 = record(("tip_id", "string", ...), ("channel", "string", "hotline"))
TIP_BREAKING = record(("tip_id", "string", ...), ("reporter", "string", ...))


def test_bundled_schemas_keep_their_catalog_ids_and_are_versions_of_every_agency_subject(
    client: TestClient,
) -> None:
    bundled = bundled_catalog().versions()
    for version in bundled:
        found = client.get(f"/schemas/ids/{version.schema_id}")
        assert found.status_code == 200
        assert found.headers["content-type"] == MEDIA
        assert json.loads(found.json()["schema"]) == json.loads(version.text)
    assert set(client.get("/subjects").json()) >= {f"casehub.cases.{a}-value" for a in ("qltt", "police")}
    envelopes = [v.version for v in bundled if v.record == ENVELOPE_RECORD]
    assert client.get(f"/subjects/{QLTT}/versions").json() == envelopes
    latest = client.get(f"/subjects/{QLTT}/versions/latest").json()
    assert (latest["subject"], latest["id"]) == (QLTT, bundled_catalog().latest().schema_id)


def test_registering_a_bundled_text_returns_its_bundled_id_under_any_subject(client: TestClient) -> None:
    first = bundled_catalog().versions()[0]
    reformatted = json.dumps(json.loads(first.text), indent=4)
    again = post(client, f"/subjects/{QLTT}/versions", {"schema": reformatted})
    assert again.status_code == 200 and again.json() == {"id": first.schema_id}
    envelopes = [v for v in bundled_catalog().versions() if v.record == ENVELOPE_RECORD]
    assert len(client.get(f"/subjects/{QLTT}/versions").json()) == len(envelopes)
    elsewhere = post(client, "/subjects/vn.casehub.CaseEvent/versions", {"schema": first.text})
    assert elsewhere.json() == {"id": first.schema_id}
    assert client.get("/subjects/vn.casehub.CaseEvent/versions").json() == [1]


def test_a_new_schema_gets_a_registered_id_shared_by_every_subject_that_holds_it(client: TestClient) -> None:
    first = post(client, "/subjects/tips-value/versions", avro(TIP_V1))
    assert first.status_code == 200
    schema_id = first.json()["id"]
    assert schema_id >= FIRST_REGISTERED_ID
    assert post(client, "/subjects/other-tips-value/versions", avro(TIP_V1)).json() == {"id": schema_id}
    assert post(client, "/subjects/tips-value/versions", avro(TIP_V1)).json() == {"id": schema_id}
    assert client.get(f"/schemas/ids/{schema_id}/versions").json() == [
        {"subject": "other-tips-value", "version": 1},
        {"subject": "tips-value", "version": 1},
    ]
    assert client.get(f"/schemas/ids/{schema_id}/subjects").json() == ["other-tips-value", "tips-value"]
    second = post(client, "/subjects/tips-value/versions", avro(TIP_V2)).json()["id"]
    assert second == schema_id + 1
    assert client.get("/subjects/tips-value/versions").json() == [1, 2]
    assert client.get("/subjects/tips-value/versions/2").json() == {
        "subject": "tips-value",
        "version": 2,
        "id": second,
        "schema": json.dumps(TIP_V2),
    }
    raw = client.get("/subjects/tips-value/versions/1/schema")
    assert raw.status_code == 200 and raw.json() == TIP_V1


def test_an_incompatible_schema_is_refused_with_409_naming_the_field(client: TestClient) -> None:
    post(client, "/subjects/tips-value/versions", avro(TIP_V1))
    refused = post(client, "/subjects/tips-value/versions", avro(TIP_BREAKING))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == MEDIA
    body = refused.json()
    assert body["error_code"] == 40901
    assert "reporter: reader field has no default and writer lacks it" in body["message"]
    assert "BACKWARD_TRANSITIVE" in body["message"]
    assert client.get("/subjects/tips-value/versions").json() == [1]


def test_the_default_level_checks_every_earlier_version_not_only_the_latest(client: TestClient) -> None:
    post(client, "/subjects/tips-value/versions", avro(TIP_V1))
    post(client, "/subjects/tips-value/versions", avro(TIP_V2))
    needs_v2_field = record(("tip_id", "string", ...), ("channel", "string", ...))
    refused = post(client, "/subjects/tips-value/versions", avro(needs_v2_field))
    assert refused.status_code == 409
    assert (
        "channel: reader field has no default and writer lacks it (new schema reading version 1)"
        in (refused.json()["message"])
    )
    assert client.put("/config/tips-value", json={"compatibility": "BACKWARD"}).json() == {
        "compatibility": "BACKWARD"
    }
    assert post(client, "/subjects/tips-value/versions", avro(needs_v2_field)).status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"schema": "{not json"}, "schema is not JSON"),
        ({"schema": json.dumps({"type": "record", "fields": []})}, '"name" is a required field'),
        ({"schema": json.dumps({"type": "Nope"})}, "UnknownType"),
        ({"schema": '"string"', "schemaType": "PROTOBUF"}, "AVRO only"),
        ({"schema": '"string"', "references": [{"name": "x", "subject": "y", "version": 1}]}, "references"),
        ({"schemaType": "AVRO"}, "Invalid request"),
    ],
)
def test_an_invalid_schema_is_refused_with_422(
    client: TestClient, body: dict[str, Any], fragment: str
) -> None:
    refused = post(client, "/subjects/tips-value/versions", body)
    assert refused.status_code == 422
    assert refused.json()["error_code"] == 42201
    assert fragment in refused.json()["message"]


def test_lookup_finds_a_registered_schema_and_says_which_part_is_missing(client: TestClient) -> None:
    schema_id = post(client, "/subjects/tips-value/versions", avro(TIP_V1)).json()["id"]
    found = post(client, "/subjects/tips-value", avro(TIP_V1))
    assert found.status_code == 200
    assert found.json() == {
        "subject": "tips-value",
        "version": 1,
        "id": schema_id,
        "schema": json.dumps(TIP_V1),
    }
    missing_schema = post(client, "/subjects/tips-value", avro(TIP_V2))
    assert (missing_schema.status_code, missing_schema.json()["error_code"]) == (404, 40403)
    missing_subject = post(client, "/subjects/no-such-value", avro(TIP_V1))
    assert (missing_subject.status_code, missing_subject.json()["error_code"]) == (404, 40401)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/subjects/no-such-value/versions", 404, 40401),
        (f"/subjects/{QLTT}/versions/99", 404, 40402),
        (f"/subjects/{QLTT}/versions/abc", 422, 42202),
        (f"/subjects/{QLTT}/versions/0", 422, 42202),
        ("/schemas/ids/99999", 404, 40403),
        (f"/config/{QLTT}", 404, 40408),
        ("/associations/resources/-/casehub.cases.qltt?resourceType=topic&associationType=value", 404, 40401),
    ],
)
def test_missing_things_answer_with_confluent_error_codes(
    client: TestClient, path: str, status: int, code: int
) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.json()["error_code"] == code
    assert answer.json()["message"]


def test_the_compatibility_endpoint_reports_without_registering(client: TestClient) -> None:
    post(client, "/subjects/tips-value/versions", avro(TIP_V1))
    ok = post(client, "/compatibility/subjects/tips-value/versions/latest", avro(TIP_V2))
    assert ok.status_code == 200 and ok.json() == {"is_compatible": True, "messages": []}
    bad = post(client, "/compatibility/subjects/tips-value/versions/1", avro(TIP_BREAKING)).json()
    assert bad["is_compatible"] is False
    assert bad["messages"] == [
        "reporter: reader field has no default and writer lacks it (new schema reading version 1)"
    ]
    assert (
        post(client, "/compatibility/subjects/tips-value/versions", avro(TIP_BREAKING)).json()[
            "is_compatible"
        ]
        is False
    )
    assert client.get("/subjects/tips-value/versions").json() == [1]
    unknown = post(client, "/compatibility/subjects/no-such-value/versions/latest", avro(TIP_V1))
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, 40401)
    no_version = post(client, "/compatibility/subjects/tips-value/versions/7", avro(TIP_V1))
    assert (no_version.status_code, no_version.json()["error_code"]) == (404, 40402)


def test_config_is_global_by_default_and_can_be_set_per_subject(client: TestClient) -> None:
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD_TRANSITIVE"}
    assert client.get(f"/config/{QLTT}", params={"defaultToGlobal": "true"}).json() == {
        "compatibilityLevel": "BACKWARD_TRANSITIVE"
    }
    assert client.put(f"/config/{QLTT}", json={"compatibility": "FULL"}).json() == {"compatibility": "FULL"}
    assert client.get(f"/config/{QLTT}").json() == {"compatibilityLevel": "FULL"}
    assert client.put("/config", json={"compatibility": "FORWARD"}).json() == {"compatibility": "FORWARD"}
    assert client.get("/config").json() == {"compatibilityLevel": "FORWARD"}
    assert client.get(f"/config/{QLTT}").json() == {"compatibilityLevel": "FULL"}
    assert client.delete(f"/config/{QLTT}").json() == {"compatibilityLevel": "FULL"}
    assert client.get(f"/config/{QLTT}", params={"defaultToGlobal": "true"}).json() == {
        "compatibilityLevel": "FORWARD"
    }
    refused = client.put("/config", json={"compatibility": "SIDEWAYS"})
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42203)


def test_level_none_accepts_a_breaking_schema(client: TestClient) -> None:
    post(client, "/subjects/tips-value/versions", avro(TIP_V1))
    client.put("/config/tips-value", json={"compatibility": "NONE"})
    assert post(client, "/subjects/tips-value/versions", avro(TIP_BREAKING)).status_code == 200
    assert client.get("/subjects/tips-value/versions").json() == [1, 2]


def test_seeding_again_at_the_next_start_changes_nothing(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    engine, _ = open_store(settings)
    client = TestClient(create_app(engine), base_url=REGISTRY, headers=signed_in(engine))
    before = {s: client.get(f"/subjects/{s}/versions").json() for s in client.get("/subjects").json()}
    engine.dispose()
    engine, _ = open_store(settings)
    client = TestClient(create_app(engine), base_url=REGISTRY, headers=signed_in(engine))
    after = {s: client.get(f"/subjects/{s}/versions").json() for s in client.get("/subjects").json()}
    assert after == before and set(after) >= set(agency_subjects(settings))
    engine.dispose()


def test_concurrent_registrations_get_their_own_versions_and_one_id_per_schema(database_url: str) -> None:
    engine, _ = open_store(Settings(database_url=database_url))
    registry = SchemaRegistry(engine)
    registry.register("tips-value", json.dumps(TIP_V1))
    variants = [record(("tip_id", "string", ...), (f"extra_{n}", "string", "")) for n in range(5)]
    subjects = [f"tips-{n}-value" for n in range(5)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        ids = list(pool.map(lambda schema: registry.register("tips-value", json.dumps(schema)), variants))
        shared = list(pool.map(lambda subject: registry.register(subject, json.dumps(TIP_V2)), subjects))
    assert len(set(ids)) == 5
    assert registry.versions("tips-value") == [1, 2, 3, 4, 5, 6]
    for schema_id, schema in zip(ids, variants, strict=True):
        assert json.loads(registry.schema(schema_id)) == schema
    assert len(set(shared)) == 1
    assert sorted(subject for subject, _ in registry.usages(shared[0])) == subjects
    engine.dispose()


def test_the_registry_answers_no_anonymous_caller_and_only_stewards_change_it(database_url: str) -> None:
    """Finding (issue 15): with no token, a caller set compatibility to NONE and registered a junk version
    of the police subject, unaudited; any token could do the same."""
    engine, _ = open_store(Settings(database_url=database_url))
    police = "casehub.cases.police-value"
    anonymous = TestClient(create_app(engine), base_url=REGISTRY)
    analyst = TestClient(create_app(engine), base_url=REGISTRY, headers=signed_in(engine, ANALYST))
    steward = TestClient(create_app(engine), base_url=REGISTRY, headers=signed_in(engine))
    versions_before = steward.get(f"/subjects/{police}/versions").json()
    for caller, status in ((anonymous, 401), (analyst, 403)):
        for answer in (
            caller.put("/config", json={"compatibility": "NONE"}),
            caller.put(f"/config/{police}", json={"compatibility": "NONE"}),
            caller.delete(f"/config/{police}"),
            post(caller, f"/subjects/{police}/versions", avro(TIP_V1)),
        ):
            assert answer.status_code == status, answer.text
            assert answer.json()["error_code"] == status * 100 + 1
            assert answer.headers["content-type"] == MEDIA
    assert anonymous.get("/subjects").status_code == 401
    assert anonymous.get("/schemas/ids/1").status_code == 401
    assert analyst.get("/subjects").status_code == 200  # reads: any signed-in principal
    assert steward.get("/config").json() == {"compatibilityLevel": "BACKWARD_TRANSITIVE"}
    assert steward.get(f"/subjects/{police}/versions").json() == versions_before
    assert steward.put(f"/config/{police}", json={"compatibility": "FULL"}).status_code == 200
    assert post(steward, f"/subjects/{police}/versions", avro(TIP_V1)).status_code == 409  # still checked

    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(AUDIT).order_by(AUDIT.c.seq))]
    writes = [
        r for r in rows if r["endpoint"].startswith("/registry") and r["method"] in ("PUT", "POST", "DELETE")
    ]
    assert [(r["principal_id"], r["status_code"]) for r in writes] == [
        *[(None, 401)] * 4,
        *[("t-analyst", 403)] * 4,
        ("t-steward", 200),
        ("t-steward", 409),
    ]
    assert (
        writes[-1]["resource"] == police and writes[-1]["endpoint"] == "/registry/subjects/{subject}/versions"
    )
    assert "token" not in str(rows).lower() or all("Bearer" not in str(r["filters"]) for r in rows)
    engine.dispose()


def test_basic_auth_as_confluent_clients_send_it_names_the_principal_of_the_token(database_url: str) -> None:
    engine, _ = open_store(Settings(database_url=database_url))
    token = signed_in(engine, ANALYST)["Authorization"].removeprefix("Bearer ")
    client = TestClient(create_app(engine), base_url=REGISTRY)
    assert client.get("/subjects", auth=("t-analyst", token)).status_code == 200
    assert client.get("/subjects", auth=("t-steward", token)).status_code == 401  # someone else's token
    assert client.get("/subjects", auth=("t-analyst", "chub_wrong")).status_code == 401
    garbled = client.get("/subjects", headers={"Authorization": "Basic %%%not-base64"})
    assert garbled.status_code == 401 and garbled.json()["error_code"] == 40101
    # bytes past ASCII (a header arrives as latin-1 text): base64 raised a plain ValueError, a 500
    for value in (b"Basic \xff", b"Basic \xc3\xa9=="):
        odd = client.get("/subjects", headers=[(b"authorization", value)])
        assert odd.status_code == 401 and odd.json()["error_code"] == 40101
    engine.dispose()


def _nested_arrays(depth: int) -> str:
    """A schema text of `depth` arrays of arrays: valid Avro, and nested as deep as a caller likes."""
    return '{"type":"array","items":' * depth + '"string"' + "}" * depth


@pytest.mark.parametrize("depth", [300, 500, 700, 900, 990, 5_000, 100_000])
def test_a_schema_nested_past_the_stack_is_a_422_on_every_route_that_reads_one(
    client: TestClient, depth: int
) -> None:
    """A schema text nested deeper than Python's stack raised RecursionError (in json.loads or in fastavro's
    parse): a 500 on lookup and compatibility, which any signed-in reader may call. Each depth is either read
    or refused with why."""
    body = {"schema": _nested_arrays(depth)}
    for path in (
        "/subjects/deep-value/versions",
        "/subjects/deep-value",
        "/compatibility/subjects/deep-value/versions",
        "/compatibility/subjects/deep-value/versions/latest",
    ):
        answer = post(client, path, body)
        assert answer.status_code < 500, (path, depth, answer.text[:300])
        if answer.status_code == 422:
            assert "nested too deep" in answer.json()["message"], answer.text[:300]
