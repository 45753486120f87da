"""The outbox: events commit with the business change, and the relay keeps each case's order."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, select

from producers.errors import EventRejected
from producers.outbox import OUTBOX, add_to_outbox, create_outbox_table
from producers.outbox_relay import OutboxRelay, RelayBackoff
from producers.simulator import simulate_events
from schemas.events import CaseEvent
from tests.factories import opened
from tests.publishing_fakes import RecordingPublisher

BUSINESS = MetaData()
DECISIONS = Table(
    "decisions", BUSINESS, Column("id", Integer, primary_key=True), Column("number", String(40))
)
FAST = RelayBackoff(initial_s=0.01, maximum_s=0.05)


@pytest.fixture
def agency_db(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'agency.db'}")
    BUSINESS.create_all(engine)
    create_outbox_table(engine)
    return engine


def outbox_rows(engine: Engine) -> list[tuple[str, bool]]:
    with engine.connect() as connection:
        rows = connection.execute(select(OUTBOX.c.event_id, OUTBOX.c.sent_at).order_by(OUTBOX.c.sequence))
        return [(event_id, sent_at is not None) for event_id, sent_at in rows]


def test_an_event_commits_and_rolls_back_with_the_business_change(agency_db: Engine) -> None:
    with agency_db.begin() as connection:
        connection.execute(insert(DECISIONS).values(number="12/QĐ-XPVPHC"))
        add_to_outbox(connection, opened("VN-OUTBOX-1"))
    with pytest.raises(RuntimeError), agency_db.begin() as connection:
        connection.execute(insert(DECISIONS).values(number="13/QĐ-XPVPHC"))
        add_to_outbox(connection, opened("VN-OUTBOX-2"))
        raise RuntimeError("the business change failed")
    assert len(outbox_rows(agency_db)) == 1
    with agency_db.connect() as connection:
        assert connection.execute(select(DECISIONS.c.number)).scalars().all() == ["12/QĐ-XPVPHC"]


def test_a_bad_event_fails_the_business_transaction_that_made_it(agency_db: Engine) -> None:
    bad = opened("VN-OUTBOX-3").model_copy(update={"agency": "ecom"})
    with pytest.raises(EventRejected, match="does not publish"), agency_db.begin() as connection:
        connection.execute(insert(DECISIONS).values(number="14/QĐ-XPVPHC"))
        add_to_outbox(connection, bad)
    assert outbox_rows(agency_db) == []


def write(engine: Engine, events: list[CaseEvent]) -> None:
    for event in events:
        with engine.begin() as connection:
            add_to_outbox(connection, event)


def test_the_relay_sends_in_order_and_marks_every_row_sent(agency_db: Engine) -> None:
    events = list(simulate_events(300, seed=3))
    write(agency_db, events)
    publisher = RecordingPublisher()
    relay = OutboxRelay(agency_db, lambda: publisher, batch_size=64, backoff=FAST)
    stats = relay.run(threading.Event(), idle_exit_s=0)
    assert stats.sent == 300 and relay.pending() == 0
    assert publisher.sent == events
    assert all(sent for _, sent in outbox_rows(agency_db))


def test_after_a_failed_event_its_case_waits_while_other_cases_flow(agency_db: Engine) -> None:
    events = list(simulate_events(120, seed=4))
    write(agency_db, events)
    stuck = events[10]
    failing = {"armed": True}

    def refuse(event: CaseEvent) -> str | None:
        return "KafkaTimeoutError" if failing["armed"] and event.event_id == stuck.event_id else None

    publisher = RecordingPublisher(refuse=refuse)
    relay = OutboxRelay(agency_db, lambda: publisher, backoff=FAST)
    with pytest.raises(Exception, match="not confirmed"):
        relay.relay_once()
    same_case = [e for e in events if e.case_id == stuck.case_id]
    after = same_case[same_case.index(stuck) :]
    assert relay.pending() == len(after)
    failing["armed"] = False
    relay.run(threading.Event(), idle_exit_s=0)
    assert relay.pending() == 0
    resent = [e for e in publisher.sent if e.case_id == stuck.case_id]
    assert resent[-len(after) :] == after  # the case's events went out again, in order, from the stuck one


def test_a_row_that_is_no_event_is_set_aside_with_its_reason_and_the_rows_behind_it_are_sent(
    agency_db: Engine,
) -> None:
    """The table lives in the agency's database and may be written by its own code: an unreadable row raised
    out of the relay (a pydantic traceback) and stopped every row behind it, restart after restart."""
    from datetime import UTC, datetime

    with agency_db.begin() as connection:
        add_to_outbox(connection, opened("VN-OB-1"))
        for bad in ("{not json", '{"event_type": "CaseOpened"}', "\x00", ""):
            row = {"event_id": f"bad-{len(bad)}", "case_id": "VN-OB-X", "agency": "qltt", "event_type": "?"}
            connection.execute(
                insert(OUTBOX).values(**row, event_json=bad, created_at=datetime.now(UTC), attempts=0)
            )
        add_to_outbox(connection, opened("VN-OB-3"))
    publisher = RecordingPublisher()
    stats = OutboxRelay(agency_db, lambda: publisher, backoff=FAST).run(threading.Event(), idle_exit_s=0.2)
    assert [e.case_id for e in publisher.sent] == ["VN-OB-1", "VN-OB-3"]
    assert (stats.sent, stats.rejected) == (2, 4)
    with agency_db.connect() as connection:
        kept = connection.execute(
            select(OUTBOX.c.event_json, OUTBOX.c.last_error).where(OUTBOX.c.rejected_at.is_not(None))
        ).all()
    assert sorted(json for json, _ in kept) == sorted(
        ["{not json", '{"event_type": "CaseOpened"}', "\x00", ""]
    )
    assert all(reason.startswith("not a case event: ") for _, reason in kept), kept
