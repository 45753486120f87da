"""Sellers' networks through the API and the page, on SQLite and PostgreSQL: each reader sees only the
subjects, identifiers and links of records they may see.

Q1 (qltt) and T1 (tax) share a phone, written two ways; Q1 and P1 (police, OWNER_ONLY + H3) share an
e-mail; P1 and C1 (customs) share a bank account. The hub holds one entity of all four; QLTT sees Q1 and
T1 (C1 is joined only through the police record, so not shown); the police see all four. Q1 and T1 also
carry a placeholder mailbox (bundled stop-list) and T1 a shop that X1 and X2 carry too (over a cap of 2).
Tax also holds an embargoed record on T1: nobody else is told of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consumers.entity.keys import sighting_of
from consumers.entity.linker import EntityLinker
from consumers.projections import apply_events, stored_event
from schemas.events import (
    CaseEvent,
    CaseOpened,
    Distribution,
    DistributionLevel,
    SubjectIdentified,
    SubjectKind,
)
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.settings import Settings
from services.store.engine import make_engine, migrate
from services.store.entity_store import entities_of
from services.store.sql_store import SqlCaseStore
from tests.databases import module_database
from tests.factories import event

pytestmark = pytest.mark.integration
T0 = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
NOW = datetime(2025, 12, 1, tzinfo=UTC)
SHARED = Distribution(level=DistributionLevel.ALL_AGENCIES)
POLICE_ONLY = Distribution(level=DistributionLevel.OWNER_ONLY, handling="INVESTIGATION_CONFIDENTIAL")
BANK = "k1:" + "cd" * 32
WHO = {
    "qltt": Principal("n-qltt", "QLTT", "qltt", Role.ANALYST),
    "police": Principal("n-police", "Police", "police", Role.ANALYST),
    "ipvn": Principal("n-ipvn", "IP office", "ipvn", Role.ANALYST),
    "ops": Principal("n-ops", "Ops", None, Role.OPS),
}


@dataclass
class NetworkWorld:
    engine: Engine
    tokens: dict[str, str]
    entity_id: str

    def get(self, who: str, path: str) -> Any:
        client = TestClient(create_app(self.engine, Settings(entity_link_cap=2), clock=lambda: NOW))
        return client.get(path, headers={"Authorization": f"Bearer {self.tokens[who]}"})


def _case(case_id: str, agency: str, n: int, distribution: Distribution = SHARED) -> CaseEvent:
    opened = CaseOpened(
        title=f"Vụ {case_id}", goods="son giả", province_code="01", category="counterfeit", platform="shopee"
    )
    at = T0 + timedelta(hours=n)
    return event(
        opened, case_id=case_id, agency=agency, occurred_at=at, recorded_at=at, distribution=distribution
    )


def _seen(case_id: str, agency: str, n: int, subject_id: str, name: str, **ids: Any) -> CaseEvent:
    distribution = ids.pop("distribution", SHARED)
    embargo = ids.pop("embargo", None)
    at = T0 + timedelta(hours=n, minutes=30)
    payload = SubjectIdentified(subject_id=subject_id, kind=SubjectKind.PERSON, display_name=name, **ids)
    return event(
        payload,
        case_id=case_id,
        agency=agency,
        occurred_at=at,
        recorded_at=at,
        distribution=distribution,
        embargo_until=embargo,
    )


def network_events() -> list[CaseEvent]:
    q, t, p, c, x, e = (
        "VN-2025-QLTT-00101",
        "VN-2025-TAX-00102",
        "VN-2025-POLICE-00103",
        "VN-2025-CUSTOMS-00104",
        "VN-2025-QLTT-00105",
        "VN-2025-TAX-00106",
    )
    return [
        _case(q, "qltt", 0),
        _seen(q, "qltt", 0, "Q1", "<b>Shop Mỹ</b>", phone="0912 345 678", email="shop.my@gmail.com"),
        _seen(q, "qltt", 0, "Q1", "Shop Mỹ", email="NoEmail@gmail.com"),
        _case(t, "tax", 1),
        _seen(
            t,
            "tax",
            1,
            "T1",
            "Hộ KD Mỹ",
            phone="+84 912 345 678",
            email="noemail@gmail.com",
            platform="shopee",
            shop_url="https://shopee.vn/shop/777",
        ),
        _case(p, "police", 2, POLICE_ONLY),
        _seen(
            p,
            "police",
            2,
            "P1",
            "Đối tượng mật",
            email="shopmy@gmail.com",
            bank_account_hash=BANK,
            distribution=POLICE_ONLY,
        ),
        _seen(p, "police", 2, "Q1", "Shop Mỹ", distribution=POLICE_ONLY),
        _case(c, "customs", 3),
        _seen(c, "customs", 3, "C1", "Cty Nhập Khẩu", bank_account_hash=BANK),
        _case(x, "qltt", 4),
        _seen(x, "qltt", 4, "X1", "Khác 1", platform="shopee", shop_url="https://shopee.vn/shop/777"),
        _seen(x, "qltt", 4, "X2", "Khác 2", platform="shopee", shop_url="https://shopee.vn/shop/777"),
        _case(e, "tax", 5),
        _seen(e, "tax", 5, "T1", "Hộ KD Mỹ", tax_code="0101234567", embargo=datetime(2026, 6, 1, tzinfo=UTC)),
    ]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkWorld]:
    with module_database(request, tmp_path_factory, "n") as url:
        engine = make_engine(url)
        migrate(engine)
        events = network_events()
        with SqlCaseStore(engine).transaction() as tx:
            apply_events(tx, [stored_event(e, "t", 0, i) for i, e in enumerate(events)])
        sightings = [
            sighting_of(
                e.payload.subject_id, str(e.event_id), e.occurred_at, e.payload.model_dump(mode="json")
            )
            for e in events
            if isinstance(e.payload, SubjectIdentified)
        ]
        with engine.begin() as connection:
            EntityLinker(cap=2).link(connection, sightings)
            entity_id = entities_of(connection, ["Q1"])["Q1"]
        tokens = {}
        for key, principal in WHO.items():
            save_principal(engine, principal)
            tokens[key] = issue_token(engine, principal.principal_id)
        yield NetworkWorld(engine, tokens, entity_id)
        engine.dispose()


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
    client.cookies.set("casehub_token", world.tokens["qltt"])
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
