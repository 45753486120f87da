"""Sellers' networks through the API and the page, on SQLite and PostgreSQL: each reader sees only the
subjects, identifiers and links of records they may see (the world: tests/network_world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.settings import Settings
from tests.databases import module_database
from tests.network_world import BANK, NOW, NetworkWorld, build_network_world
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkWorld]:
    with module_database(request, tmp_path_factory, "n") as url:
        yield from build_network_world(url)


def test_qltt_sees_its_and_the_shared_sellers_links_but_never_the_police_subject(world: NetworkWorld) -> None:
    answer = world.get("qltt", "/api/entities/Q1")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["entity_id"] == world.entity_id
    assert [m["subject_id"] for m in body["members"]] == ["Q1", "T1"]
    assert {(x["subject_id"], x["other_subject_id"], x["kind"], x["value"]) for x in body["links"]} == {
        ("Q1", "T1", "phone", "+84912345678")
    }
    status = {(k["kind"], k["value"]): k["status"] for k in body["keys"]}
    assert status[("phone", "+84912345678")] == "links"
    assert status[("email", "noemail@gmail.com")] == "stop-listed"
    assert status[("shop", "shopee:777")].startswith("over the cap (3 subjects > 2)")
    assert status[("email", "shopmy@gmail.com")] == "not shared"  # P1 carries it, unseen by QLTT
    for hidden in ("P1", "C1", BANK, "Đối tượng mật", "0101234567", "VN-2025-POLICE", "VN-2025-CUSTOMS"):
        assert hidden not in answer.text
    assert body["hidden_holders"] == ["police"]  # tax's embargoed record is not mentioned
    assert sorted(c["case_id"] for c in body["cases"]) == ["VN-2025-QLTT-00101", "VN-2025-TAX-00102"]
    assert world.get("qltt", f"/api/entities/{world.entity_id}").json()["members"] == body["members"]


def test_the_police_see_the_whole_network_and_why_each_link_exists(world: NetworkWorld) -> None:
    body = world.get("police", f"/api/entities/{world.entity_id}").json()
    assert [m["subject_id"] for m in body["members"]] == ["C1", "P1", "Q1", "T1"]
    assert {x["kind"] for x in body["links"]} == {"phone", "email", "bank_account"}
    assert all(x["event_id"] for x in body["links"] if x["kind"] != "phone")
    assert "tax" in body["hidden_holders"] or "0101234567" not in str(body)


def test_unknown_hidden_and_refused_requests(world: NetworkWorld) -> None:
    assert world.get("qltt", "/api/entities/P1").status_code == 404  # police-only subject: as if none
    assert world.get("ipvn", "/api/entities/NO-SUCH").status_code == 404
    assert world.get("ops", "/api/entities/Q1").status_code == 403
    anonymous = TestClient(create_app(world.engine, clock=lambda: NOW)).get("/api/entities/Q1")
    assert anonymous.status_code == 401
    for weird in ("%00%0A", "x" * 5000, "a%27%20OR%201=1", "%F0%9F%98%80"):
        answer = world.get("qltt", "/api/entities/" + weird)
        assert answer.status_code == 422 and "id" in answer.json()["detail"], answer.text


def test_the_network_page_draws_the_graph_and_escapes_names(world: NetworkWorld) -> None:
    client = TestClient(create_app(world.engine, Settings(entity_link_cap=2), clock=lambda: NOW))
    signed_in_client(client, world.tokens["qltt"])
    page = client.get("/entities/Q1?lang=en")
    assert page.status_code == 200, page.text
    graph = page.text.split('id="network-graph"')[1].split("</svg>")[0]
    assert graph.count("<circle") == 2 and graph.count("<line") == 1
    assert 'href="/subjects/T1"' in graph and "&lt;b&gt;Shop Mỹ&lt;/b&gt;" in page.text
    assert "<b>Shop Mỹ</b>" not in page.text and "P1" not in page.text
    assert "stop-listed" in page.text and "over the cap" in page.text
    assert client.get("/entities/P1").status_code == 404
    assert client.get("/entities/%00%0A").status_code == 404
    dossier = client.get("/subjects/Q1")
    assert 'href="/entities/Q1"' in dossier.text
