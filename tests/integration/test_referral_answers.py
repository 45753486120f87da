"""A referral answered from the hub: the referred agency's answer is published on ITS topic by the normal
Publisher, travels through the real broker and the materializer, and lands in the store as its event."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import build_publisher, create_topics, open_store
from tests.analyst_world import NOW, PRINCIPALS, world_events
from tests.integration.helpers import isolated_settings, materialize_until_idle
from tests.web_sign_in import form_token_on, signed_in_client

pytestmark = pytest.mark.integration
REFERRED_CASE = "VN-2025-QLTT-00003"  # referred by QLTT to the police, LISTED for the police only


def test_the_police_answer_a_referral_and_the_answer_lands_in_the_store(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    with build_publisher(settings) as publisher:
        assert publisher.publish(world_events()).sent == len(world_events())
    engine, store = open_store(settings)
    materialize_until_idle(settings, store)
    tokens = {}
    for key in ("police", "qltt", "customs"):
        save_principal(engine, PRINCIPALS[key])
        tokens[key] = {"Authorization": f"Bearer {issue_token(engine, PRINCIPALS[key].principal_id)}"}
    app = create_app(engine, settings, clock=lambda: NOW)
    client = TestClient(app)
    try:
        waiting = client.get("/api/referrals", headers=tokens["police"]).json()
        assert waiting["count"] == 1
        referral = waiting["data"][0]
        assert (referral["case_id"], referral["from_agency"], referral["answers"]) == (
            REFERRED_CASE,
            "qltt",
            [],
        )
        assert referral["overdue"] is True and referral["age_days"] == 58
        assert referral["deadline"].startswith("2025-11-02")  # 30 days (settings.alert_referral_days)
        assert client.get("/api/referrals", headers=tokens["qltt"]).json()["count"] == 0
        assert client.get("/api/referrals", headers=tokens["customs"]).json()["count"] == 0

        url = f"/api/referrals/{referral['event_id']}/answer"
        accepted = client.post(url, json={"answer": "accept"}, headers=tokens["police"])
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["topic"] == settings.agency_topic("police")
        again = client.post(url, json={"answer": "accept"}, headers=tokens["police"]).json()
        assert again["event_id"] == accepted.json()["event_id"]  # one fact, one event id
        action = {"answer": "action", "action": "INVESTIGATION_OPENED", "note": "Đã khởi tố vụ án"}
        assert client.post(url, json=action, headers=tokens["police"]).status_code == 200
        for body, who, status in (
            ({"answer": "action"}, "police", 422),  # which action?
            ({"answer": "action", "action": "ACKNOWLEDGED"}, "police", 422),
            ({"answer": "accept", "note": "a\x00b"}, "police", 422),
            ({"answer": "accept", "note": "x" * 2001}, "police", 422),
            ({"answer": "maybe"}, "police", 422),
            ({"answer": "accept"}, "qltt", 404),  # not referred to QLTT
            ({"answer": "accept"}, "customs", 404),
        ):
            refused = client.post(url, json=body, headers=tokens[who])
            assert refused.status_code == status, (body, who, refused.text)
        assert (
            client.post(
                "/api/referrals/not-a-uuid/answer", json={"answer": "accept"}, headers=tokens["police"]
            ).status_code
            == 422
        )

        page = TestClient(app)  # the web UI: plain POST forms, the same publishing path
        signed_in_client(page, tokens["police"]["Authorization"].split()[1])
        listing = page.get("/referrals?lang=en")
        token = form_token_on(listing)
        assert f'data-referral="{referral["event_id"]}"' in listing.text and "Overdue" in listing.text
        declined = page.post(
            url.removeprefix("/api"),
            data={"answer": "decline", "note": "ngoài thẩm quyền", "csrf": token},
            follow_redirects=False,
        )
        assert declined.status_code == 303 and "done=" in declined.headers["location"], declined.headers
        bad = page.post(url.removeprefix("/api"), data={"answer": "action", "action": "NOPE", "csrf": token})
        assert bad.status_code == 200 and 'id="referral-error"' in bad.text

        page.cookies.clear()
        signed_in_client(page, tokens["qltt"]["Authorization"].split()[1])
        form = page.get(f"/referrals/new?case_id={REFERRED_CASE}")
        token = form_token_on(form)
        assert 'id="new-referral"' in form.text and f'value="{REFERRED_CASE}"' in form.text
        sent = {
            "case_id": REFERRED_CASE,
            "to_agency": "customs",
            "kind": "OTHER",
            "reason": "hàng nhập lậu",
            "csrf": token,
        }
        referred = page.post("/referrals/new", data=sent, follow_redirects=False)
        assert referred.status_code == 303 and referred.headers["location"].startswith(
            f"/cases/{REFERRED_CASE}"
        )
        hidden_case = {**sent, "case_id": "VN-2025-POLICE-00002"}  # a police-only case: as if none
        assert "no case" in page.post("/referrals/new", data=hidden_case).text
        to_self = page.post("/referrals/new", data={**sent, "to_agency": "qltt"})
        assert "another agency" in to_self.text
    finally:
        if getattr(app.state, "referral_publisher", None) is not None:
            app.state.referral_publisher.close()

    stats = materialize_until_idle(settings, store)
    assert stats.dead_letters == 0
    answered = client.get("/api/referrals", headers=tokens["police"]).json()["data"][0]
    assert sorted(a["kind"] for a in answered["answers"]) == [
        "ACKNOWLEDGED",
        "DISAGREED",
        "INVESTIGATION_OPENED",
    ]
    assert answered["overdue"] is False
    timeline = client.get(f"/api/cases/{REFERRED_CASE}", headers=tokens["qltt"]).json()["timeline"]
    reactions = [e for e in timeline if e["event_type"] == "ReactionRecorded"]
    assert len(reactions) == 3 and {e["agency"] for e in reactions} == {"police"}
    assert all(e["payload"]["refers_to_event_id"] == referral["event_id"] for e in reactions)
    hidden = client.get(f"/api/cases/{REFERRED_CASE}", headers=tokens["customs"]).json()["timeline"]
    assert not [e for e in hidden if e["event_type"] == "ReactionRecorded"]  # listed for QLTT only
    customs = client.get("/api/referrals", headers=tokens["customs"]).json()
    assert [(r["case_id"], r["from_agency"], r["reason"]) for r in customs["data"]] == [
        (REFERRED_CASE, "qltt", "hàng nhập lậu")
    ]
