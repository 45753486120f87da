"""The outbox relay across a broker outage: events pile up in the agency database, then all flow, in order."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert

from deploy.kafka_broker import KafkaBroker
from producers.outbox import add_to_outbox, create_outbox_table
from producers.outbox_relay import OutboxRelay, RelayBackoff
from producers.publisher import Publisher
from producers.simulator import simulate_events
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from services.bootstrap import create_topics
from services.settings import AGENCY_CODES
from tests.integration.helpers import admin_options, isolated_settings, read_all
from tests.integration.test_faults import wait_until
from tests.secure_broker import session_broker_like, start_provisioned

pytestmark = pytest.mark.integration
BUSINESS = MetaData()
INSPECTIONS = Table(
    "inspections", BUSINESS, Column("id", Integer, primary_key=True), Column("case_id", String(64))
)


@pytest.fixture(scope="module")
def own_broker(kafka_bootstrap: str) -> Iterator[KafkaBroker]:
    """A broker this module may stop and restart (the session broker is shared; it is asked for only
    for its CA and admin, which this broker trusts too)."""
    data_dir = Path(tempfile.mkdtemp(prefix="casehub-outbox-kafka-"))
    broker = session_broker_like(data_dir, heap="512m")
    start_provisioned(broker)
    yield broker
    broker.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def record(engine: Engine, events: list[CaseEvent]) -> None:
    """What an agency system does: its own change and the event, in one transaction."""
    for event in events:
        with engine.begin() as connection:
            connection.execute(insert(INSPECTIONS).values(case_id=event.case_id))
            add_to_outbox(connection, event)


def test_events_written_during_a_broker_outage_flow_after_it_none_lost_in_order(
    own_broker: KafkaBroker, tmp_path: Path
) -> None:
    settings = isolated_settings(own_broker.bootstrap, f"sqlite:///{tmp_path / 'hub.db'}")
    create_topics(settings)
    agency_db = create_engine(f"sqlite:///{tmp_path / 'agency.db'}")
    BUSINESS.create_all(agency_db)
    create_outbox_table(agency_db)
    events = list(simulate_events(400, seed=21))
    before, during = events[:200], events[200:]

    def connect() -> Publisher:
        return Publisher(
            bootstrap=own_broker.bootstrap,
            topic_of=settings.agency_topic,
            connect_timeout_s=2,
            delivery_timeout_s=6,
            security=admin_options(),
        )

    relay = OutboxRelay(agency_db, connect, batch_size=100, backoff=RelayBackoff(initial_s=0.2, maximum_s=2))
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        record(agency_db, before)
        wait_until(lambda: relay.pending() == 0, 60, "the first events to be relayed")
        own_broker.stop()
        record(agency_db, during)
        wait_until(lambda: relay.stats.retries >= 1, 60, "the relay to notice the outage")
        assert relay.pending() == len(during), "nothing is marked sent while the broker is down"
        own_broker.start()
        wait_until(lambda: relay.pending() == 0, 120, "the backlog to flow after the outage")
    finally:
        stop.set()
        thread.join(timeout=30)
    codec = CaseEventCodec()
    on_topics = [
        codec.decode(r.value)  # type: ignore[attr-defined]
        for agency in AGENCY_CODES
        if agency in {e.agency for e in events}  # a topic nobody published to would only cost its timeout
        for r in read_all(own_broker.bootstrap, settings.agency_topic(agency), expected=1, timeout_s=10)
    ]
    assert {e.event_id for e in on_topics} == {e.event_id for e in events}, "every event arrived"
    for stream in {(e.case_id, e.agency) for e in events}:  # one case on one topic: one partition
        first_seen: list[str] = []
        for event in on_topics:
            if (event.case_id, event.agency) == stream and str(event.event_id) not in first_seen:
                first_seen.append(str(event.event_id))
        assert first_seen == [str(e.event_id) for e in events if (e.case_id, e.agency) == stream], stream
    assert relay.stats.sent == len(events)
