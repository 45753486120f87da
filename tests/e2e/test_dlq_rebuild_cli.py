"""`casehub dlq` and `casehub rebuild` as an operator types them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import casehub_env, run
from tests.integration.helpers import isolated_settings, send_raw

pytestmark = pytest.mark.integration


def test_dead_letters_are_listed_shown_replayed_and_the_store_rebuilt(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    env = casehub_env(settings, tmp_path)
    assert run(["topics", "create"], env).returncode == 0
    assert run(["publish", "--demo"], env).returncode == 0
    send_raw(kafka_bootstrap, settings.agency_topic("customs"), [b"not a case event"])
    assert run(["consume", "--until-idle", "3"], env).returncode == 0

    listing = run(["dlq", "list"], env)
    assert listing.returncode == 0, listing.stderr
    assert "1 dead letter(s) pending." in listing.stdout
    assert "DecodeError" in listing.stdout
    shown = run(["dlq", "show", "1"], env)
    assert "wrong magic byte" in shown.stdout and settings.agency_topic("customs") in shown.stdout
    replayed = run(["dlq", "replay"], env)
    assert "Replayed 1 dead letter(s): 0 resolved into events, 1 still failing." in replayed.stdout
    missing = run(["dlq", "show", "99"], env)
    assert missing.returncode != 0 and "no dead letter with id 99" in missing.stderr

    rebuilt = run(["rebuild", "--into", f"sqlite:///{tmp_path / 'rebuilt.db'}"], env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "The rebuilt store equals the live store." in rebuilt.stdout
