"""`casehub tokens` as an administrator types it: a token printed once works on the API, revoking ends it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from deploy.kafka_broker import free_port
from services.api.app import create_app
from services.store.engine import make_engine
from tests.databases import upgraded
from tests.e2e.test_cli import CASEHUB

pytestmark = pytest.mark.integration


def casehub(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CASEHUB_HOME": str(home),
        "CASEHUB_DATABASE_URL": upgraded(f"sqlite:///{home / 'casehub.db'}"),
    }
    return subprocess.run([CASEHUB, "tokens", *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_created_token_reads_the_api_until_it_is_revoked(tmp_path: Path) -> None:
    created = casehub(
        tmp_path,
        "create",
        "qltt-hn-1",
        "--role",
        "agency_officer",
        "--agency",
        "qltt",
        "--province",
        "01",
        "--name",
        "Nguyễn Văn A",
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("chub_")
    listed = casehub(tmp_path, "list")
    assert "qltt-hn-1" in listed.stdout and "agency_officer" in listed.stdout and "01" in listed.stdout
    client = TestClient(create_app(make_engine(f"sqlite:///{tmp_path / 'casehub.db'}")))
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).json() == {
        "data": [],
        "count": 0,
    }
    assert "revoked 1 token" in casehub(tmp_path, "revoke", "qltt-hn-1").stdout
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # a mistyped id revokes nothing: said so and exit 1, not "revoked 0 token(s)" (found by hand, session 17)
    for command in ("revoke", "disable"):
        typo = casehub(tmp_path, command, "qltt-hn-l")
        assert typo.returncode == 1 and "no principal 'qltt-hn-l': nothing revoked" in typo.stderr


def test_bad_agencies_and_provinces_are_refused_with_one_line(tmp_path: Path) -> None:
    agency = casehub(tmp_path, "create", "x", "--role", "analyst", "--agency", "fbi")
    province = casehub(tmp_path, "create", "y", "--role", "analyst", "--agency", "qltt", "--province", "77")
    assert agency.returncode != 0 and "unknown agency 'fbi'" in agency.stderr
    assert province.returncode != 0 and "not a current province code: 77" in province.stderr
    assert "Traceback" not in agency.stderr + province.stderr


def test_demo_seeds_the_well_known_demo_users(tmp_path: Path) -> None:
    result = casehub(tmp_path, "demo")
    assert result.returncode == 0 and "demo-police-analyst" in result.stdout


def test_plain_casehub_api_refuses_the_demo_principals_of_a_demo_store_with_one_line(tmp_path: Path) -> None:
    """Finding (issue 15): demo tokens kept working forever on a demo store served by `casehub api`."""
    assert casehub(tmp_path, "demo").returncode == 0
    port = free_port()
    env = {
        **os.environ,
        "CASEHUB_HOME": str(tmp_path),
        "CASEHUB_DATABASE_URL": upgraded(f"sqlite:///{tmp_path / 'casehub.db'}"),
        "CASEHUB_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
    }
    process = subprocess.Popen(
        [CASEHUB, "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 60
        while answer is None:
            assert process.poll() is None and time.monotonic() < deadline, "casehub api did not answer"
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/api/cases",
                    headers={"Authorization": "Bearer demo-qltt-analyst"},
                    timeout=2,
                )
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer.status_code == 401
        assert "demo principals work only in demo mode" in answer.json()["detail"]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    lines = [line for line in stderr.splitlines() if "demo" in line]
    assert lines == [
        "This store holds demo principals: demo principals work only in demo mode (casehub up); "
        "this server refuses their tokens."
    ]
    engine = make_engine(f"sqlite:///{tmp_path / 'casehub.db'}")
    demo_mode = TestClient(create_app(engine, demo_logins=True))
    assert (
        demo_mode.get("/api/cases", headers={"Authorization": "Bearer demo-qltt-analyst"}).status_code == 200
    )
    engine.dispose()
