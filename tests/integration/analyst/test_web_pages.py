"""The web UI over the same rules: sign-in by token cookie, Vietnamese by default with an English switch,
pages showing only what the reader may see, refusals for roles without access."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from tests.analyst_world import World
from tests.web_sign_in import sign_in

pytestmark = pytest.mark.integration


def signed_in(world: World, who: str, demo: bool = False) -> TestClient:
    client = TestClient(create_app(world.engine, clock=lambda: world.clock[0], demo_logins=demo))
    response = sign_in(client, world.tokens[who], "/cases")
    assert (response.status_code, response.headers["location"]) == (303, "/cases")
    return client


def test_pages_send_strangers_to_sign_in_and_back(world: World) -> None:
    client = world.client()
    response = client.get("/cases/VN-2025-QLTT-00001", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcases%2FVN-2025-QLTT-00001"
    assert "Đăng nhập" in client.get("/login").text


def test_a_wrong_token_is_refused_and_the_demo_switcher_appears_only_in_demo_mode(world: World) -> None:
    client = world.client()
    refused = sign_in(client, "nope")
    assert "failed=1" in refused.headers["location"]
    assert "DEMO" not in client.get("/login").text
    demo = TestClient(create_app(world.engine, demo_logins=True)).get("/login").text
    assert "DEMO" in demo and 'data-principal="demo-police-analyst"' in demo


def test_the_dashboard_is_vietnamese_by_default_and_english_on_request(world: World) -> None:
    client = signed_in(world, "qltt")
    page = client.get("/")
    assert page.status_code == 200 and "Tổng quan" in page.text and "<svg" in page.text
    english = client.get("/", params={"lang": "en"})
    assert "Dashboard" in english.text and "Cases by month" in english.text
    assert "Cases by month" in client.get("/").text, "the choice is remembered"


def test_search_and_case_pages_show_only_what_the_reader_may_see(world: World) -> None:
    qltt, police = signed_in(world, "qltt"), signed_in(world, "police")
    assert "VN-2025-POLICE-00002" not in qltt.get("/cases").text
    assert "VN-2025-POLICE-00002" in police.get("/cases").text
    assert "buôn lậu thuốc lá" not in qltt.get("/cases", params={"q": "thuoc la"}).text
    assert qltt.get("/cases/VN-2025-POLICE-00002").status_code == 404
    case = qltt.get("/cases/VN-2025-QLTT-00001").text
    assert "10.000.000 đ" in case and "40.000.000 đ" not in case
    assert "40.000.000 đ" in police.get("/cases/VN-2025-QLTT-00001").text


def test_the_search_page_explains_a_bad_filter_instead_of_failing(world: World) -> None:
    page = signed_in(world, "qltt").get("/cases", params={"province": "99"})
    assert page.status_code == 200 and "unknown province code" in page.text


def test_dossier_hit_report_and_audit_pages(world: World) -> None:
    customs, admin = signed_in(world, "customs"), signed_in(world, "admin")
    dossier = customs.get("/subjects/S1").text
    assert "Nguyễn Văn Mỹ" in dossier and "0912 345 678" in dossier
    hits = customs.get("/subjects/hits", params={"identifier": "0987654321"}).text
    assert "Công an" in hits or "A05" in hits
    assert "Trần Thị" not in hits
    assert "TỔNG CỘNG" not in customs.get("/reports", params={"period": "2025"}).text
    assert "Tổng cộng" in customs.get("/reports", params={"period": "2025"}).text
    assert customs.get("/audit").status_code == 403
    assert "Chuỗi băm nguyên vẹn" in admin.get("/audit").text


def test_a_role_without_case_access_gets_a_403_page_with_a_way_to_the_ops_page(world: World) -> None:
    page = signed_in(world, "ops").get("/")
    assert page.status_code == 403 and 'href="/ops/lag"' in page.text
