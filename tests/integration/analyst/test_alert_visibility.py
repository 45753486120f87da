"""Finding (issue 15): alerts said more than their receiver may know — a repeat-offender alert for an agency
that could open only 2 of the 3 confirmed cases it needs, an overlap alert revealing that a hidden case is
open, and alerts about other provinces for a province-scoped officer."""

from __future__ import annotations

from typing import Any

import pytest

from consumers.alerts.building import new_alert
from schemas.alerts import Alert, AlertRule
from services.store.alert_store import add_alerts
from tests.analyst_world import NOW, World

pytestmark = pytest.mark.integration
A, B, C = "VN-2025-QLTT-00001", "VN-2025-POLICE-00002", "VN-2025-QLTT-00003"  # B: police only; C: in 79


def _row(alert: Alert) -> dict[str, Any]:
    """The alerts table's row of an alert, as the alert outbox writes it."""
    return {
        "alert_id": str(alert.alert_id),
        "rule": alert.rule.value,
        "entity_id": alert.entity_id,
        "agencies": alert.agencies,
        "distribution_level": alert.distribution.level.value,
        "summary": alert.summary,
        "triggered_at": alert.triggered_at,
        "raised_at": alert.raised_at,
        "published_at": None,
        "alert": alert.model_dump(mode="json"),
    }


def repeat(recipient: str) -> Alert:
    return new_alert(
        AlertRule.REPEAT_OFFENDER,
        f"E1|t|to:{recipient}",
        "Tái phạm",
        agencies=[recipient],
        triggered_at=NOW,
        raised_at=NOW,
        entity_id="E1",
        case_ids=[A, B, C],
        counts={"cases_seen": 3, "threshold": 3, "window_days": 365},
    )


ALERTS = [
    repeat("customs"),  # customs can open A and C, not B: 2 of 3
    repeat("police"),  # police can open all three
    new_alert(  # QLTT's open case A overlaps with a hidden police case: only a hit may say so
        AlertRule.OVERLAP,
        "E1|police,qltt|to:qltt",
        "Chồng chéo",
        agencies=["qltt"],
        triggered_at=NOW,
        raised_at=NOW,
        entity_id="E1",
        case_ids=[A],
        counts={"open_cases_seen": 1, "agencies": 2},
        hidden_holders=["police"],
    ),
    new_alert(  # a referral in province 79, addressed to QLTT
        AlertRule.REFERRAL_OVERDUE,
        f"{C}|to:qltt",
        "Quá hạn",
        agencies=["qltt"],
        triggered_at=NOW,
        raised_at=NOW,
        case_ids=[C],
    ),
    new_alert(  # a spike in province 79, shared with all
        AlertRule.SPIKE,
        "smuggled|79|2025-10-06",
        "Tăng đột biến",
        agencies=["bcd389"],
        triggered_at=NOW,
        raised_at=NOW,
        case_ids=[C],
        counts={"cases": 5, "threshold": 4},
        shared_with_all=True,
    ),
]


@pytest.fixture
def alerted(world: World) -> World:
    with world.engine.begin() as connection:
        add_alerts(connection, [_row(a) for a in ALERTS])
    return world


def rules(world: World, who: str) -> list[str]:
    answer = world.client().get("/api/alerts", headers=world.headers(who))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == len(body["data"])
    return sorted(item["alert"]["rule"] for item in body["data"])


def test_a_repeat_offender_alert_counts_only_cases_its_receiver_may_open(alerted: World) -> None:
    assert "REPEAT_OFFENDER" not in rules(alerted, "customs")
    assert rules(alerted, "police") == ["REPEAT_OFFENDER", "SPIKE"]
    refused = alerted.client().get(f"/api/alerts/{ALERTS[0].alert_id}", headers=alerted.headers("customs"))
    assert refused.status_code == 404


def test_an_overlap_with_a_hidden_open_case_is_not_told(alerted: World) -> None:
    assert "OVERLAP" not in rules(alerted, "qltt")
    hit = alerted.client().get(
        "/api/subjects/hits", headers=alerted.headers("qltt"), params={"identifier": "0987654321"}
    )
    assert [h["agency"] for h in hit.json()["holders"]] == ["police"]  # what hit / no-hit may say


def test_a_province_scoped_officer_gets_only_alerts_of_its_provinces(alerted: World) -> None:
    assert rules(alerted, "qltt") == ["REFERRAL_OVERDUE", "SPIKE"]
    assert rules(alerted, "hanoi") == []  # QLTT Hà Nội: province 01 only; both are about 79
    police = alerted.client().get("/api/alerts", headers=alerted.headers("police")).json()
    repeat_alert = next(i["alert"] for i in police["data"] if i["alert"]["rule"] == "REPEAT_OFFENDER")
    assert sorted(repeat_alert["case_ids"]) == sorted([A, B, C])
