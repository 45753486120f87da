"""Public tips end to end on SQLite and PostgreSQL: a tip posted without an account is published as BCĐ
389's TipReceived on the real broker and materialized into the store; BCĐ 389 triages it over the API —
assigned (QLTT's CaseOpened on the tip's case) or dismissed (a CaseClosed with the reason) — through the
broker and the materializer again. The attacks are in the same run: a flood (429), a token sent too soon,
stale, forged or replayed, NUL and control characters, a huge description, the wrong role and agency; and
the reporter's contact is looked for in every table of the database and in the logs, and never found."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import create_topics, open_store
from services.settings import Settings
from services.store.sql_store import CASES, EVENTS, SqlCaseStore
from services.store.tables import Base
from tests.integration.helpers import isolated_settings, materialize_until_idle

pytestmark = pytest.mark.integration
FORM, TIPS = "/api/public/tips/form", "/api/public/tips"
CONTACT = "0912 000 389"
CONTACT_FORMS = ("0912 000 389", "0912000389", "912000389")
DESCRIPTION = "Tài khoản bán nước hoa Chanel giả trên Shopee, giao hàng toàn quốc, giá chỉ 150.000 đ/chai."
RATE = 9


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    store: SqlCaseStore
    client: TestClient
    clock: Clock
    auth: dict[str, dict[str, str]]


@pytest.fixture
def hub(kafka_bootstrap: str, database_url: str, tmp_path: Path) -> Iterator[Hub]:
    settings = isolated_settings(kafka_bootstrap, database_url).model_copy(
        update={"home": tmp_path, "tip_rate_limit": f"{RATE}/minute"}
    )
    create_topics(settings)
    engine, store = open_store(settings)
    people = {
        "bcd389": Principal("t-bcd389", "Chuyên viên BCĐ 389", "bcd389", Role.ANALYST),
        "qltt": Principal("t-qltt", "QLTT analyst", "qltt", Role.ANALYST),
        "bcd389-admin": Principal("t-bcd389-admin", "Admin", "bcd389", Role.ADMIN),
    }
    auth = {}
    for who, principal in people.items():
        save_principal(engine, principal)
        auth[who] = {"Authorization": f"Bearer {issue_token(engine, principal.principal_id)}"}
    clock = Clock()
    app = create_app(engine, settings, clock=clock)
    try:
        with TestClient(app) as client:
            yield Hub(settings, engine, store, client, clock, auth)
    finally:
        app.state.tip_desk.close()
        engine.dispose()


def _post(hub: Hub, token: str, **changes: Any) -> Any:
    body = {"category": "counterfeit", "description": DESCRIPTION, "platform": "shopee", "token": token}
    body.update(changes)
    return hub.client.post(TIPS, json={k: v for k, v in body.items() if v is not None})


def _token(hub: Hub, wait_s: float = 4) -> str:
    token = str(hub.client.get(FORM).json()["token"])
    hub.clock.advance(wait_s)
    return token


def _every_row(engine: Engine) -> str:
    """Every value of every table, as one text to search."""
    found: list[str] = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            found.extend(repr(tuple(row)) for row in connection.execute(select(table)))
    return "\n".join(found)


def test_a_public_tip_is_triaged_through_the_broker_into_the_store(
    hub: Hub, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client, clock = hub.client, hub.clock
    token = str(client.get(FORM).json()["token"])
    assert _post(hub, token, contact=CONTACT).status_code == 400  # sent as soon as served: a script
    clock.advance(5)
    nul = _post(hub, token, contact=CONTACT, description=DESCRIPTION + "\x00")
    assert nul.status_code == 422 and "ký tự điều khiển" in nul.json()["detail"]
    huge = _post(hub, token, contact=CONTACT, description="x" * 4001)
    assert huge.status_code == 422 and "quá dài" in huge.json()["detail"]
    bad_contact = _post(hub, token, contact=CONTACT + "\x1b")
    assert bad_contact.status_code == 422 and "0912" not in bad_contact.text
    first = _post(hub, token, contact=CONTACT, shop_url="shopee.vn/nuochoa_gia_re", province_code="01")
    assert first.status_code == 201, first.text
    assert _post(hub, token).status_code == 409  # replayed
    assert _post(hub, token[:-3] + "abc").status_code == 400  # forged
    clock.advance(-7200)  # a form served two hours ago (the events' times stay real: the broker checks them)
    stale = _token(hub, wait_s=7200)
    assert _post(hub, stale).status_code == 400
    second = _post(
        hub, _token(hub), platform=None, description="Cửa hàng facebook bán thuốc lá điện tử nhập lậu."
    )
    assert second.status_code == 201, second.text
    # nine posts so far from this address (RATE a minute): the flood is cut off, whatever it sends
    assert [_post(hub, _token(hub)).status_code for _ in range(3)] == [429, 429, 429]

    stats = materialize_until_idle(hub.settings, hub.store)
    assert (stats.events, stats.dead_letters) == (2, 0)
    tip_ids = [first.json()["event_id"], second.json()["event_id"]]
    with hub.engine.connect() as connection:
        stored = {
            r.event_id: r for r in connection.execute(select(EVENTS).where(EVENTS.c.event_id.in_(tip_ids)))
        }
    one = stored[tip_ids[0]]
    assert (one.event_type, one.agency, one.case_id) == ("TipReceived", "bcd389", first.json()["reference"])
    assert (
        one.payload["reporter_ref"].startswith("tip1:") and stored[tip_ids[1]].payload["reporter_ref"] is None
    )
    assert one.payload["listing_urls"] == ["https://shopee.vn/nuochoa_gia_re"]

    assert client.get("/api/tips").status_code == 401
    assert client.get("/api/tips", headers=hub.auth["qltt"]).status_code == 403
    assert client.get("/api/tips", headers=hub.auth["bcd389-admin"]).status_code == 403
    listed = client.get("/api/tips?state=new", headers=hub.auth["bcd389"]).json()
    assert listed["count"] == 2 and {t["event_id"] for t in listed["data"]} == set(tip_ids)
    assert [t["has_contact"] for t in listed["data"] if t["event_id"] == tip_ids[0]] == [True]
    assert "reporter_ref" not in str(listed)

    as_bcd = hub.auth["bcd389"]
    assign, dismiss = f"/api/tips/{tip_ids[0]}/assign", f"/api/tips/{tip_ids[1]}/dismiss"
    assert client.post(assign, headers=hub.auth["qltt"], json={"agency": "qltt"}).status_code == 403
    assert client.post(assign, headers=as_bcd, json={"agency": "xyz"}).status_code == 422
    assert client.post(assign, headers=as_bcd, json={"agency": "bcd389"}).status_code == 422
    assigned = client.post(assign, headers=as_bcd, json={"agency": "qltt", "goods": "nước hoa Chanel"})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["topic"] == hub.settings.agency_topic("qltt")
    assert client.post(assign, headers=as_bcd, json={"agency": "customs"}).status_code == 409
    assert client.post(dismiss, headers=as_bcd, json={"reason": "lý do\x00"}).status_code == 422
    # the second tip names no province: assigning it needs one
    assert (
        client.post(f"/api/tips/{tip_ids[1]}/assign", headers=as_bcd, json={"agency": "qltt"}).status_code
        == 422
    )
    dismissed = client.post(dismiss, headers=as_bcd, json={"reason": "Không đủ thông tin để xác minh"})
    assert dismissed.status_code == 200 and dismissed.json()["event_type"] == "CaseClosed"

    stats = materialize_until_idle(hub.settings, hub.store)
    assert (stats.events, stats.dead_letters) == (2, 0)
    with hub.engine.connect() as connection:
        opened = connection.execute(
            select(EVENTS).where(EVENTS.c.event_id == assigned.json()["event_id"])
        ).one()
        cases = {r.case_id: r for r in connection.execute(select(CASES))}
    assert (opened.event_type, opened.agency, opened.case_id) == ("CaseOpened", "qltt", one.case_id)
    assert opened.payload["source"] == "HOTLINE_TIP" and tip_ids[0] in opened.payload["summary"]
    assert cases[one.case_id].stage == "open" and "qltt" in cases[one.case_id].agencies
    assert cases[second.json()["reference"]].stage == "closed"
    done = client.get("/api/tips", headers=as_bcd).json()["data"]
    states = {t["event_id"]: (t["state"], t["agency"], t["reason"]) for t in done}
    assert states == {
        tip_ids[0]: ("assigned", "qltt", None),
        tip_ids[1]: ("dismissed", None, "Không đủ thông tin để xác minh"),
    }
    timeline = client.get(f"/api/cases/{one.case_id}", headers=hub.auth["qltt"]).json()
    seen = [e["event_type"] for e in timeline["timeline"]]
    assert seen == ["CaseOpened"]  # the tip (and its reporter's hash) stays BCĐ 389's own

    with hub.engine.connect() as connection:
        audited = (
            connection.execute(text("SELECT status_code FROM audit_log WHERE endpoint = :e"), {"e": TIPS})
            .scalars()
            .all()
        )
    assert {201, 400, 409, 422, 429} <= set(audited)
    captured = capfd.readouterr()
    everything = "\n".join([_every_row(hub.engine), captured.out, captured.err, caplog.text])
    assert one.payload["reporter_ref"] in everything  # the search itself works
    for written in CONTACT_FORMS:
        assert written not in everything, f"the contact {written!r} was stored or logged in clear"
