"""Each access rule from both sides (who sees an event, a case, a total, a seller), on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.analyst_world import EMBARGO_END, REPORTER, S1_PHONE, S2_PHONE, World
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration

A, B, C, D, E = (
    "VN-2025-QLTT-00001",
    "VN-2025-POLICE-00002",
    "VN-2025-QLTT-00003",
    "VN-2025-CUSTOMS-00004",
    "VN-2025-TAX-00005",
)


def cases_of(world: World, who: str, **params: Any) -> dict[str, dict[str, Any]]:
    response = world.client().get("/api/cases", headers=world.headers(who), params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    return {case["case_id"]: case for case in body["data"]}


def case_of(world: World, who: str, case_id: str) -> Any:
    return world.client().get(f"/api/cases/{case_id}", headers=world.headers(who))


def test_owner_only_events_are_visible_to_their_agency_and_to_no_other(world: World) -> None:
    assert B in cases_of(world, "police")
    for other in ("qltt", "customs", "tax", "admin"):
        assert B not in cases_of(world, other)
        assert case_of(world, other, B).status_code == 404


def test_a_case_known_only_through_restricted_events_reads_exactly_like_a_missing_one(world: World) -> None:
    hidden, missing = case_of(world, "qltt", B), case_of(world, "qltt", "VN-NO-SUCH-CASE")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"].replace(B, "X") == missing.json()["detail"].replace("VN-NO-SUCH-CASE", "X")


def test_totals_and_agencies_come_from_visible_events_only(world: World) -> None:
    police_view, qltt_view = cases_of(world, "police")[A], cases_of(world, "qltt")[A]
    assert (police_view["total_fines_vnd"], police_view["agencies"]) == (40_000_000, ["police", "qltt"])
    assert (qltt_view["total_fines_vnd"], qltt_view["agencies"]) == (10_000_000, ["qltt"])
    timeline = case_of(world, "qltt", A).json()["timeline"]
    assert {e["agency"] for e in timeline} == {"qltt"}
    assert len(case_of(world, "police", A).json()["timeline"]) == len(timeline) + 1


def test_listed_agencies_see_an_event_and_others_do_not(world: World) -> None:
    def referral_seen(who: str) -> bool:
        return any(e["event_type"] == "CaseReferred" for e in case_of(world, who, C).json()["timeline"])

    assert referral_seen("police") and referral_seen("qltt")
    assert not referral_seen("customs") and not referral_seen("tax")
    assert cases_of(world, "police")[C]["status"] == "referred"
    assert cases_of(world, "customs")[C]["status"] == "open"


def test_investigation_confidential_handling_narrows_all_agencies_to_the_owner_and_those_listed(
    world: World,
) -> None:
    assert D in cases_of(world, "customs") and D in cases_of(world, "tax")
    for other in ("qltt", "police", "ipvn"):
        assert D not in cases_of(world, other)
    event = case_of(world, "tax", D).json()["timeline"][0]
    assert (event["handling"], event["level"], event["shared_with"]) == (
        "INVESTIGATION_CONFIDENTIAL",
        "ALL_AGENCIES",
        ["tax"],
    )


def test_an_embargoed_event_is_hidden_from_all_but_its_owner_until_the_embargo_ends(at_now: World) -> None:
    world = at_now

    def sees_seller(who: str) -> bool:
        return "S3" in case_of(world, who, E).json()["subject_ids"]

    assert sees_seller("tax")
    assert not sees_seller("qltt") and not sees_seller("customs")
    assert world.client().get("/api/subjects/S3", headers=world.headers("qltt")).status_code == 404
    world.clock[0] = EMBARGO_END + timedelta(seconds=1)
    assert sees_seller("qltt") and sees_seller("customs")
    assert world.client().get("/api/subjects/S3", headers=world.headers("qltt")).status_code == 200


def test_a_province_scope_limits_cases_statistics_and_case_pages(world: World) -> None:
    mine = cases_of(world, "hanoi")
    assert set(mine) == {A}
    assert case_of(world, "hanoi", C).status_code == 404  # Hồ Chí Minh City
    stats = world.client().get("/api/stats", headers=world.headers("hanoi")).json()
    assert stats["totals"]["cases"] == 1


def test_a_tip_reporter_reference_is_withheld_from_everyone_but_the_publishing_agency(world: World) -> None:
    def tip(who: str) -> dict[str, Any]:
        timeline = case_of(world, who, A).json()["timeline"]
        return next(e for e in timeline if e["event_type"] == "TipReceived")

    assert tip("qltt")["payload"]["reporter_ref"] == REPORTER and tip("qltt")["withheld"] == []
    assert "reporter_ref" not in tip("customs")["payload"] and tip("customs")["withheld"] == ["reporter_ref"]


def test_hit_no_hit_names_the_agency_holding_a_hidden_seller_and_nothing_else(world: World) -> None:
    client = world.client()
    answer = client.get(
        "/api/subjects/hits", headers=world.headers("qltt"), params={"identifier": "0987654321"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["hit"] is True
    assert [(h["agency"], h["visible_to_you"]) for h in body["holders"]] == [("police", False)]
    assert "Bí Mật" not in answer.text and "S2" not in answer.text and B not in answer.text
    found = client.get("/api/subjects", headers=world.headers("qltt"), params={"identifier": S2_PHONE}).json()
    assert found["count"] == 0
    police = client.get(
        "/api/subjects/hits", headers=world.headers("police"), params={"identifier": S2_PHONE}
    )
    assert police.json()["holders"] == [
        {
            "agency": "police",
            "agency_name": police.json()["holders"][0]["agency_name"],
            "visible_to_you": True,
        }
    ]


def test_hit_no_hit_says_no_hit_for_an_unknown_identifier_and_shows_shared_holders(world: World) -> None:
    client = world.client()
    none = client.get("/api/subjects/hits", headers=world.headers("tax"), params={"identifier": "0900000000"})
    assert none.json() == {"identifier": "0900000000", "hit": False, "holders": []}
    shared = client.get(
        "/api/subjects/hits", headers=world.headers("tax"), params={"identifier": S1_PHONE}
    ).json()
    assert [(h["agency"], h["visible_to_you"]) for h in shared["holders"]] == [("qltt", True)]


def test_public_statistics_count_only_shared_events_out_of_embargo(world: World) -> None:
    body = world.client().get("/api/public/stats", params={"period": "year"}).json()
    assert body["totals"]["cases"] == 5  # A, C, E, F, G: not B (police) nor D (confidential)
    assert body["totals"]["fines_vnd"] == 10_000_000 + 20_000_000 + 5_000_000
    assert "title" not in str(body) and "S1" not in str(body)


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "/api/cases", 401),
        ("ops", "/api/cases", 403),
        ("ops", "/api/subjects/hits?identifier=0912345678", 403),
        ("hanoi", "/api/export", 403),
        ("qltt", "/api/export", 200),
        ("qltt", "/api/audit", 403),
        ("admin", "/api/audit", 200),
        (None, "/api/public/stats", 200),
        ("ops", "/api/public/stats", 200),
    ],
)
def test_roles_decide_which_endpoints_answer(world: World, who: str | None, path: str, status: int) -> None:
    headers = world.headers(who) if who else {}
    assert world.client().get(path, headers=headers).status_code == status


def test_an_unknown_or_revoked_token_is_refused(world: World) -> None:
    from services.access.resolver import issue_token
    from services.access.revocation import revoke_access

    client = world.client()
    assert client.get("/api/cases", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = issue_token(world.engine, "t-ipvn")
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoke_access(world.engine, "t-ipvn")
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    world.tokens["ipvn"] = issue_token(world.engine, "t-ipvn")


def test_admins_get_no_special_sight_of_restricted_data(world: World) -> None:
    assert set(cases_of(world, "admin")) == set(cases_of(world, "ipvn"))
    assert B not in cases_of(world, "admin")


def test_an_alias_recorded_only_in_a_confidential_police_record_finds_the_seller_for_police_alone(
    world: World,
) -> None:
    """Finding (issue 15): name search matched names of hidden observations, then showed the seller."""
    client = world.client()
    for who in ("qltt", "customs", "tax", "admin"):
        found = client.get("/api/subjects", headers=world.headers(who), params={"name": "Sẹo Bí Danh"})
        assert found.status_code == 200 and found.json()["count"] == 0, who
        browser = signed_in_client(world.client(), world.tokens[who])
        page = browser.get("/subjects", params={"name": "seo bi danh"}, follow_redirects=False)
        assert page.status_code == 200 and "/subjects/S1" not in page.text, who
        assert "/subjects/S1" in browser.get("/subjects", params={"name": "van my"}).text, who
    police = client.get("/api/subjects", headers=world.headers("police"), params={"name": "seo bi danh"})
    assert [s["subject_id"] for s in police.json()["data"]] == ["S1"]
    by_visible_name = client.get("/api/subjects", headers=world.headers("qltt"), params={"name": "Văn Mỹ"})
    assert [s["subject_id"] for s in by_visible_name.json()["data"]] == ["S1"]
