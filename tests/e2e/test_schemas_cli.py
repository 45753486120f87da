"""`casehub schemas list | check | register` as a user runs them, in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import httpx
import pytest

from deploy.kafka_broker import free_port
from schemas.catalog import ENVELOPE_RECORD, bundled_catalog
from tests.e2e.test_cli import CASEHUB, casehub_env, run
from tests.integration.helpers import isolated_settings

BUNDLED = resources.files("schemas").joinpath("avro")


def copy_of_bundled(tmp_path: Path) -> Path:
    folder = tmp_path / "avro"
    folder.mkdir()
    for item in BUNDLED.iterdir():
        if item.name.endswith((".avsc", ".json")):
            (folder / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def add_version(folder: Path, schema: dict[str, object]) -> None:
    """Append a next version of the envelope to a copied catalog."""
    manifest = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    envelopes = [entry for entry in manifest["schemas"] if entry["record"] == ENVELOPE_RECORD]
    latest = max(envelopes, key=lambda entry: entry["version"])
    name = f"case_event.v{latest['version'] + 1}.avsc"
    (folder / name).write_text(json.dumps(schema, indent=2), encoding="utf-8")
    next_id = max(entry["id"] for entry in manifest["schemas"]) + 1
    entry = {**latest, "id": next_id, "version": latest["version"] + 1, "file": name}
    manifest["schemas"].append(entry)
    (folder / "catalog.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_list_shows_every_version_with_its_id_and_event_types() -> None:
    result = run(["schemas", "list"], {})
    assert result.returncode == 0, result.stderr
    for version in bundled_catalog().versions():
        assert f"{version.record} v{version.version}  id {version.schema_id}" in result.stdout
    assert "CaseOpened, PenaltyDecided" in result.stdout
    assert "BACKWARD_TRANSITIVE" in result.stdout


def test_check_passes_on_the_bundled_schemas() -> None:
    result = run(["schemas", "check"], {})
    assert result.returncode == 0, result.stderr
    assert f"{len(bundled_catalog().versions())} schema versions checked" in result.stdout


def test_check_fails_naming_the_field_of_an_incompatible_new_version(tmp_path: Path) -> None:
    folder = copy_of_bundled(tmp_path)
    breaking = json.loads(bundled_catalog().latest().text)
    payload = next(f for f in breaking["fields"] if f["name"] == "payload")
    penalty = next(branch for branch in payload["type"] if branch["name"] == "PenaltyDecided")
    penalty["fields"].append({"name": "reviewer", "type": "string"})
    add_version(folder, breaking)
    result = run(["schemas", "check", "--dir", str(folder)], {})
    assert result.returncode == 1
    assert "payload.PenaltyDecided.reviewer: reader field has no default and writer lacks it" in result.stderr


def test_check_fails_on_an_avsc_missing_from_the_catalog(tmp_path: Path) -> None:
    folder = copy_of_bundled(tmp_path)
    shutil.copy(folder / "case_event.v1.avsc", folder / "case_event.v9.avsc")
    result = run(["schemas", "check", "--dir", str(folder)], {})
    assert result.returncode == 1
    assert "case_event.v9.avsc: not listed in catalog.json" in result.stderr


@dataclass(frozen=True)
class ServedRegistry:
    url: str
    env: dict[
        str, str
    ]  # CASEHUB_SCHEMA_REGISTRY_TOKEN: a schema steward's, made with `casehub tokens create`


@pytest.fixture
def api(kafka_bootstrap: str, sqlite_url: str, tmp_path: Path) -> Iterator[ServedRegistry]:
    """The registry of `casehub api`, run in a subprocess on a free port and stopped afterwards."""
    port = free_port()
    env = casehub_env(isolated_settings(kafka_bootstrap, sqlite_url), tmp_path)
    created = run(["tokens", "create", "t-steward", "--role", "schema_steward"], env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    process = subprocess.Popen(
        [CASEHUB, "api", "--port", str(port)], env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/registry"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url, token):
            assert process.poll() is None, "casehub api exited"
            assert time.monotonic() < deadline, "casehub api did not answer"
            time.sleep(0.2)
        yield ServedRegistry(url, {"CASEHUB_SCHEMA_REGISTRY_TOKEN": token})
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answers(url: str, token: str) -> bool:
    try:
        return httpx.get(f"{url}/subjects", timeout=2, headers=_bearer(token)).status_code == 200
    except httpx.HTTPError:
        return False


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.integration
def test_register_puts_the_bundled_versions_under_each_agency_subject(api: ServedRegistry) -> None:
    env = {"CASEHUB_TOPIC_PREFIX": "fresh.cases.", **api.env}
    headers = _bearer(api.env["CASEHUB_SCHEMA_REGISTRY_TOKEN"])
    result = run(["schemas", "register", "--url", api.url], env)
    assert result.returncode == 0, result.stderr
    envelopes = [v for v in bundled_catalog().versions() if v.record == ENVELOPE_RECORD]
    ids = [v.schema_id for v in sorted(envelopes, key=lambda v: v.version)]
    assert f"fresh.cases.qltt-value: versions {list(range(1, len(ids) + 1))} → ids {ids}" in result.stdout
    assert "fresh.cases.police-value" in httpx.get(f"{api.url}/subjects", headers=headers).json()
    again = run(["schemas", "register", "--url", api.url], env)
    assert again.returncode == 0 and f"ids {ids}" in again.stdout
    assert httpx.get(f"{api.url}/subjects/fresh.cases.qltt-value/versions", headers=headers).json() == list(
        range(1, len(ids) + 1)
    )


@pytest.mark.integration
def test_register_without_a_steward_token_is_refused_with_one_line(api: ServedRegistry) -> None:
    result = run(["schemas", "register", "--url", api.url], {"CASEHUB_TOPIC_PREFIX": "other.cases."})
    assert result.returncode == 1
    assert "refused the credential" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_register_against_an_unreachable_registry_fails_with_one_line() -> None:
    result = run(["schemas", "register", "--url", f"http://127.0.0.1:{free_port()}"], {})
    assert result.returncode == 1
    assert "did not answer" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
