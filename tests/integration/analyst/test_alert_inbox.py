"""The alerts inbox on SQLite and PostgreSQL: the rules' real alerts (an OVERLAP of QLTT, tax and police
cases on one linked seller) in each agency's inbox, states per agency, filters, audited actions, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.early_warning import build_alert_outbox
from services.settings import Settings
from services.store.access_tables import AuditRow
from tests.databases import module_database
from tests.network_world import NOW, NetworkWorld, build_network_world
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkWorld]:
    with module_database(request, tmp_path_factory, "i") as url:
        for world in build_network_world(url):
            raised = build_alert_outbox(Settings(), world.engine, publish=False).sweep(NOW)
            assert raised.raised > 0
            yield world


def inbox(world: NetworkWorld, who: str, **filters: Any) -> dict[str, Any]:
    answer = world.get(who, "/api/inbox?" + "&".join(f"{k}={v}" for k, v in filters.items()))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def act(world: NetworkWorld, who: str, alert_id: str, action: str, **body: str) -> Any:
    client = TestClient(create_app(world.engine, Settings(entity_link_cap=2), clock=lambda: NOW))
    return client.post(
        f"/api/inbox/{alert_id}/{action}",
        json=body,
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
    )


def test_each_agency_gets_its_alerts_as_new_with_the_cases_it_may_open(world: NetworkWorld) -> None:
    qltt = inbox(world, "qltt", rule="OVERLAP")
    assert qltt["count"] >= 1 and all(e["state"] == "new" for e in qltt["data"])
    overlap = qltt["data"][0]
    assert overlap["alert"]["entity_id"] == world.entity_id
    assert [c["case_id"] for c in overlap["cases"]] and all(
        "POLICE" not in c["case_id"] for c in overlap["cases"]
    )
    assert "P1" not in str(qltt) and "VN-2025-POLICE" not in str(qltt)
    assert inbox(world, "ipvn")["count"] == 0
    assert (
        inbox(world, "qltt", seller="Q1")["count"]
        == inbox(world, "qltt", seller=world.entity_id)["count"]
        >= 1
    )
    assert (
        inbox(world, "qltt", province="01")["count"] >= 1
        and inbox(world, "qltt", province="79")["count"] == 0
    )
    assert inbox(world, "qltt", category="smuggled")["count"] == 0
    assert inbox(world, "qltt_hcm")["count"] == 0  # scoped to 79: none of these cases is in scope


def test_acknowledge_assign_close_reopen_are_per_agency_audited_and_checked(world: NetworkWorld) -> None:
    alert_id = inbox(world, "qltt", rule="OVERLAP")["data"][0]["alert"]["alert_id"]
    assert act(world, "qltt", alert_id, "acknowledge").json()["state"] == "acknowledged"
    again = act(world, "qltt", alert_id, "acknowledge")
    assert again.status_code == 409 and "acknowledged" in again.json()["detail"]
    nobody = act(world, "qltt", alert_id, "assign", assignee="n-tax")  # not a QLTT principal
    assert nobody.status_code == 422
    assert act(world, "qltt", alert_id, "assign", assignee="n-qltt-2").json()["state"] == "assigned"
    mine = inbox(world, "qltt2", mine="true")
    assert [e["alert"]["alert_id"] for e in mine["data"]] == [alert_id] and mine["data"][0][
        "assignee"
    ] == "n-qltt-2"
    assert inbox(world, "qltt")["by_state"]["assigned"] == 1
    tax = inbox(world, "tax")  # QLTT's actions leave the tax office's inbox untouched
    assert tax["count"] >= 1 and tax["by_state"]["new"] == tax["count"]
    assert act(world, "qltt2", alert_id, "close", note="đã xử lý").json()["state"] == "closed"
    assert inbox(world, "qltt", state="closed")["data"][0]["updated_by"] == "n-qltt-2"
    assert act(world, "qltt", alert_id, "reopen").json()["state"] == "acknowledged"
    for refused, status in (
        (act(world, "ipvn", alert_id, "acknowledge"), 404),  # not addressed to the IP office
        (act(world, "ops", alert_id, "acknowledge"), 403),
        (act(world, "qltt", "not-a-uuid", "acknowledge"), 422),
        (act(world, "qltt", alert_id, "explode"), 422),
        (act(world, "qltt", alert_id, "close", note="a\x00b"), 422),
        (act(world, "qltt", alert_id, "close", note="x" * 2001), 422),
    ):
        assert refused.status_code == status, refused.text
    with world.engine.connect() as connection:
        rows = connection.execute(
            select(AuditRow.endpoint, AuditRow.status_code, AuditRow.resource).where(
                AuditRow.endpoint == "/api/inbox/{alert_id}/{action}"
            )
        ).all()
    assert (200, alert_id) in {(r.status_code, r.resource) for r in rows}
    assert (409, alert_id) in {(r.status_code, r.resource) for r in rows}


def test_the_inbox_page_lists_alerts_and_its_forms_change_the_state(world: NetworkWorld) -> None:
    client = TestClient(create_app(world.engine, Settings(entity_link_cap=2), clock=lambda: NOW))
    signed_in_client(client, world.tokens["tax"])
    page = client.get("/alerts?lang=en")
    assert page.status_code == 200 and 'class="alert-row"' in page.text
    first = page.text.split('data-alert="')[1].split('"')[0]
    assert f'action="/alerts/{first}/acknowledge"' in page.text and 'href="/entities/' in page.text
    forged = client.post(f"/alerts/{first}/acknowledge", data={"back": "/alerts"}, follow_redirects=False)
    assert forged.status_code == 403  # no form token: a cross-site form is refused before anything changes
    token = form_token_on(page)
    done = client.post(
        f"/alerts/{first}/acknowledge",
        data={"back": "/alerts?lang=en", "csrf": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/alerts?lang=en"
    after = client.get("/alerts?state=acknowledged&rule=NO_SUCH_RULE&seller=%20%20")
    assert f'data-alert="{first}" data-state="acknowledged"' in after.text  # an unknown rule: no filter
    assert 'value="acknowledged" selected' in after.text  # the form is refilled with what was asked
    assert 'name="seller" value=""' in after.text  # blanks are stripped: no filter, an empty field
    refused = client.post(
        f"/alerts/{first}/acknowledge", data={"back": "https://evil.example/", "csrf": token}
    )
    assert (
        refused.status_code == 200 and 'id="inbox-error"' in refused.text and "evil" not in refused.url.host
    )
