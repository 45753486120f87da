"""`casehub outbox relay|status` against an agency's SQLite database and the session's broker."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from producers.outbox import add_to_outbox, create_outbox_table
from producers.simulator import simulate_events
from services.bootstrap import create_topics
from tests.e2e.test_cli import casehub_env, run
from tests.integration.helpers import isolated_settings, read_all

pytestmark = pytest.mark.integration


def test_the_relay_drains_the_outbox_and_says_what_it_did(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = isolated_settings(kafka_bootstrap, f"sqlite:///{tmp_path / 'hub.db'}")
    create_topics(settings)
    agency_url = f"sqlite:///{tmp_path / 'agency.db'}"
    engine = create_engine(agency_url)
    create_outbox_table(engine)
    events = [e for e in simulate_events(200, seed=9) if e.agency == "qltt"]
    with engine.begin() as connection:
        for event in events:
            add_to_outbox(connection, event)
    env = casehub_env(settings, tmp_path)
    assert f"{len(events)} events pending" in run(["outbox", "status", "--database", agency_url], env).stdout
    relayed = run(["outbox", "relay", "--database", agency_url, "--until-idle", "1"], env)
    assert relayed.returncode == 0, relayed.stderr
    assert f"Relayed {len(events)} events" in relayed.stdout and "0 pending" in relayed.stdout
    on_topic = read_all(kafka_bootstrap, settings.agency_topic("qltt"), expected=len(events))
    assert len(on_topic) == len(events)
    assert "0 events pending" in run(["outbox", "status", "--database", agency_url], env).stdout
