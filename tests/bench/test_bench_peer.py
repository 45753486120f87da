"""The benchmark's peer (Kafka Connect + Debezium's JDBC sink) lands the simulator's events end to end.

A real broker, a real Connect worker from Maven Central jars and a real PostgreSQL: a few hundred events
go in as JSON-with-schema records and come out as rows, each exactly once (count and a checksum of the
ids), with their JSON parts intact. It checks that the rows landed, not how fast.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bench.peer import TABLE, create_table, publish_records, run_peer
from deploy.connect_plugin import ConnectError
from deploy.connect_worker import KafkaClientSecurity
from producers.simulator.simulation import simulate_events
from services.store.engine import make_engine
from tests.integration.helpers import admin_options


def admin() -> KafkaClientSecurity:
    """The worker logs in as the hub's admin: the session broker is secured (read once it runs)."""
    return KafkaClientSecurity.from_client_options(admin_options())


pytestmark = pytest.mark.integration


def test_the_peer_upserts_every_event_once_by_its_id(
    kafka_bootstrap: str, postgres_server_url: str, postgres_url: str, tmp_path: Path
) -> None:
    events = list(simulate_events(300, seed=17))
    topic = f"bench-peer-{uuid.uuid4().hex[:8]}"
    # the last 20 events twice: an upsert by event id keeps one row each
    published = publish_records(kafka_bootstrap, topic, [*events, *events[-20:]], security=admin_options())
    create_table(postgres_url)

    run = run_peer(
        kafka_bootstrap, postgres_server_url, postgres_url, topic, published, tmp_path / "connect", admin()
    )

    ids = sorted(str(e.event_id) for e in events)
    assert run.rows == len(set(ids)) == 300
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        landed = connection.execute(
            text(f"SELECT md5(string_agg(event_id, ',' ORDER BY event_id)) FROM {TABLE}")
        ).scalar_one()
        sample = connection.execute(
            text(f"SELECT payload, distribution, recorded_at FROM {TABLE} WHERE event_id = :id"),
            {"id": str(events[7].event_id)},
        ).one()
    engine.dispose()
    assert landed == hashlib.md5(",".join(ids).encode()).hexdigest()
    assert sample.payload == json.loads(events[7].payload.model_dump_json())
    assert sample.distribution == json.loads(events[7].distribution.model_dump_json())
    assert sample.recorded_at == events[7].recorded_at
    assert run.seconds > 0 and run.worker_cpu_s > 0


def test_a_refused_database_login_fails_the_peer_with_the_reason(
    kafka_bootstrap: str, postgres_server_url: str, postgres_url: str, tmp_path: Path
) -> None:
    """The sink task fails on a refused login; the run stops with Connect's reason, not at its deadline.
    (The throwaway test cluster trusts local logins whatever the password, so the login is refused by an
    unknown role.)"""
    topic = f"bench-peer-{uuid.uuid4().hex[:8]}"
    published = publish_records(
        kafka_bootstrap, topic, list(simulate_events(50, seed=5)), security=admin_options()
    )
    create_table(postgres_url)
    wrong = make_url(postgres_url).set(username="no_such_role").render_as_string(hide_password=False)
    with pytest.raises(ConnectError, match='role "no_such_role" does not exist') as refused:
        run_peer(
            kafka_bootstrap,
            postgres_server_url,
            wrong,
            topic,
            published,
            tmp_path / "connect",
            admin(),
            timeout=120,
        )
    assert "\tat " not in str(refused.value), "the reason, not a wall of stack frames"
