"""POST /api/ingest/events against the real broker, materialized into the store: agency systems that
cannot run a Kafka client publish over HTTP, each event answered, bad input refused with a clear 4xx."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from producers.demo_data import demo_events
from schemas.events import CaseEvent, PenaltyDecided
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.api.routes.ingest import MAX_BODY_BYTES, MAX_EVENTS
from services.bootstrap import open_store
from services.settings import Settings
from tests.e2e.test_import_cli import hub, materialize
from tests.integration.helpers import read_all

pytestmark = pytest.mark.integration
__all__ = ["hub"]
URL = "/api/ingest/events"


def _qltt_events() -> list[CaseEvent]:
    """One QLTT case of the demo set that ends in a penalty, all its events QLTT's own."""
    events = demo_events()
    penalised = next(
        e.case_id for e in events if e.agency == "qltt" and isinstance(e.payload, PenaltyDecided)
    )
    return [e for e in events if e.case_id == penalised and e.agency == "qltt"]


def _json(event: CaseEvent, **changes: object) -> dict[str, object]:
    data: dict[str, object] = json.loads(event.model_dump_json())
    data.update(changes)
    return data


def test_an_agency_system_publishes_over_http_into_the_store(
    hub: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, _ = hub
    engine, _store = open_store(settings)
    system = Principal("qltt-system", "Hệ thống QLTT", "qltt", Role.AGENCY_SYSTEM)
    analyst = Principal("qltt-analyst", "QLTT analyst", "qltt", Role.ANALYST)
    for principal in (system, analyst):
        save_principal(engine, principal)
    auth = {"Authorization": f"Bearer {issue_token(engine, system.principal_id)}"}
    try:
        with TestClient(create_app(engine, settings)) as client:
            events = _qltt_events()
            penalty = next(e for e in events if isinstance(e.payload, PenaltyDecided))
            too_high = _json(penalty, event_id=str(uuid.uuid4()))
            too_high["payload"] = {**penalty.payload.model_dump(mode="json"), "fine_vnd": 900_000_000}
            customs = _json(events[0], event_id=str(uuid.uuid4()), agency="customs")
            bad_field = _json(events[0], event_id=str(uuid.uuid4()), occurred_at="hôm qua")
            body = [*(_json(e) for e in events), too_high, customs, bad_field, _json(events[0]), "x"]
            answer = client.post(URL, headers=auth, json=body)
            assert answer.status_code == 200, answer.text
            result = answer.json()
            assert (result["accepted"], result["duplicates"], result["refused"]) == (len(events), 0, 5)
            for outcome in result["results"][: len(events)]:
                assert outcome["status"] == "accepted"
                assert outcome["topic"] == settings.agency_topic("qltt") and outcome["offset"] >= 0
            reasons = [" ".join(o["reasons"]) for o in result["results"][len(events) :]]
            assert "vượt mức tối đa" in reasons[0]
            assert "không phải cơ quan của bạn" in reasons[1]
            assert reasons[2].startswith("occurred_at:")
            assert "trùng" in reasons[3]
            assert "đối tượng JSON" in reasons[4]

            assert materialize(settings) == (len(events), 0)
            again = client.post(URL, headers=auth, json=[_json(e) for e in events]).json()
            assert again["duplicates"] == len(events) and again["accepted"] == 0
            topic = read_all(settings.kafka_bootstrap, settings.agency_topic("qltt"), expected=len(events))
            assert len(topic) == len(events)  # duplicates were not sent again
            assert (
                read_all(settings.kafka_bootstrap, settings.agency_topic("customs"), expected=0, timeout_s=2)
                == []
            )

            assert client.post(URL, json=[]).status_code == 401
            as_analyst = {"Authorization": f"Bearer {issue_token(engine, analyst.principal_id)}"}
            assert client.post(URL, headers=as_analyst, json=[_json(events[0])]).status_code == 403
            assert (
                client.post(URL, headers={**auth, "Content-Type": "text/plain"}, content=b"[]").status_code
                == 415
            )
            bad = {**auth, "Content-Type": "application/json"}
            assert client.post(URL, headers=bad, content=b"{not json").status_code == 400
            assert client.post(URL, headers=bad, content=b'{"events": []}').status_code == 400
            assert client.post(URL, headers=bad, content=b"[]").status_code == 400
            many = json.dumps([{}] * (MAX_EVENTS + 1)).encode()
            assert client.post(URL, headers=bad, content=many).status_code == 400
            huge = b"[" + b" " * MAX_BODY_BYTES + b"{}]"
            assert client.post(URL, headers=bad, content=huge).status_code == 413
            assert "/api/ingest/events" in client.get("/openapi.json").json()["paths"]
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM case_events")).scalar_one()
        assert stored == len(events)
    finally:
        engine.dispose()
