"""Dead letters for operators: GET /api/ops/deadletters (ops and admin roles only) and `casehub dlq list`
filtered by reason and time, over letters a real materializer wrote."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.bootstrap import build_materializer, create_topics, open_store
from tests.e2e.test_cli import casehub_env, run
from tests.integration.helpers import isolated_settings, send_raw

pytestmark = pytest.mark.integration


def test_dead_letters_are_served_to_ops_filtered_and_paginated(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    send_raw(kafka_bootstrap, settings.agency_topic("customs"), [b"not a case event"])
    send_raw(kafka_bootstrap, settings.agency_topic("qltt"), [b"\x00" + struct.pack(">I", 777_777) + b"x"])
    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    assert materializer.run(threading.Event(), idle_exit_s=3).dead_letters == 2
    materializer.close()

    tokens = {}
    for role in (Role.OPS, Role.ADMIN, Role.ANALYST):
        save_principal(engine, Principal(f"p-{role.value}", role.value, "bcd389", role))
        tokens[role] = {"Authorization": f"Bearer {issue_token(engine, f'p-{role.value}')}"}
    api = TestClient(create_app(engine, settings))
    url = "/api/ops/deadletters"

    assert api.get(url).status_code == 401
    refused = api.get(url, headers=tokens[Role.ANALYST])
    assert refused.status_code == 403 and "read ops" in refused.json()["detail"]
    everything = api.get(url, headers=tokens[Role.OPS]).json()
    assert everything["count"] == 2 and len(everything["data"]) == 2
    first = everything["data"][0]
    assert set(first) >= {
        "id",
        "topic",
        "offset",
        "error_class",
        "error_message",
        "created_at",
        "value_bytes",
    }
    assert "value" not in first and "key" not in first  # the raw bytes stay in the store
    assert api.get(url, headers=tokens[Role.ADMIN]).json()["count"] == 2

    def letters(**params: object) -> dict[str, object]:
        answer = api.get(url, params=params, headers=tokens[Role.OPS])
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    by_reason = letters(reason="SCHEMA ID")
    assert by_reason["count"] == 1 and "777777" in by_reason["data"][0]["error_message"]  # type: ignore[index]
    assert letters(reason="magic byte")["count"] == 1
    assert letters(reason="%")["count"] == 0  # a literal, not a wildcard
    assert letters(since="2099-01-01T00:00:00Z")["count"] == 0
    assert letters(until="2099-01-01T00:00:00Z")["count"] == 2
    assert letters(topic=settings.agency_topic("customs"))["count"] == 1
    page = letters(limit=1, offset=1)
    assert page["count"] == 2 and len(page["data"]) == 1  # type: ignore[arg-type]
    assert page["data"][0]["id"] == everything["data"][1]["id"]  # type: ignore[index]
    for bad in ({"since": "yesterday"}, {"limit": 0}, {"offset": -1}, {"reason": "x" * 201}):
        assert api.get(url, params=bad, headers=tokens[Role.OPS]).status_code == 422

    env = casehub_env(settings, tmp_path)
    listed = run(["dlq", "list", "--reason", "schema id", "--since", "2000-01-01"], env)
    assert listed.returncode == 0, listed.stderr
    assert "1 dead letter(s) pending." in listed.stdout and "777777" in listed.stdout
