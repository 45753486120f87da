"""The publisher SDK on the real broker: confirmed deliveries keyed by case, typed errors, structured logs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from deploy.kafka_broker import free_port
from producers.errors import BrokerUnavailable, DeliveryFailed, EventRejected
from producers.publisher import Publisher
from producers.simulator import simulate_events
from schemas.codec import CaseEventCodec
from schemas.events import CaseOpened
from services.bootstrap import create_topics
from tests.factories import opened
from tests.integration.helpers import admin_options, isolated_settings, read_all

pytestmark = pytest.mark.integration


def test_every_event_is_confirmed_where_it_landed_with_its_case_on_one_partition(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    events = list(simulate_events(2_000, seed=11))
    with (
        Publisher(
            bootstrap=kafka_bootstrap, topic_of=settings.agency_topic, security=admin_options()
        ) as publisher,
        capture_logs() as logs,
    ):
        report = publisher.publish(events)
    assert (report.sent, report.failed) == (2_000, [])
    assert [d.event_id for d in report.deliveries] == [str(e.event_id) for e in events]
    partitions: dict[str, set[int]] = {}
    for delivery in report.deliveries:
        partitions.setdefault(delivery.case_id, set()).add(delivery.partition)
    assert all(len(found) == 1 for found in partitions.values())
    summary = next(log for log in logs if log["event"] == "events_published")
    assert summary["sent"] == 2_000 and summary["compression"] == publisher.compression
    qltt = [e for e in events if e.agency == "qltt"]
    records = read_all(kafka_bootstrap, settings.agency_topic("qltt"), expected=len(qltt))
    codec = CaseEventCodec()
    decoded = {codec.decode(r.value).event_id: r.key.decode() for r in records}  # type: ignore[attr-defined]
    assert decoded == {e.event_id: e.case_id for e in qltt}


def test_a_contract_violation_is_a_typed_error_naming_the_event_and_nothing_is_sent(
    kafka_bootstrap: str, sqlite_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    after_merger = opened("VN-SDK-1").model_copy(
        update={
            "occurred_at": datetime(2025, 10, 1, tzinfo=UTC),
            "payload": CaseOpened.model_construct(**{**dict(opened().payload), "province_code": "27"}),
        }
    )
    with Publisher(
        bootstrap=kafka_bootstrap, topic_of=settings.agency_topic, security=admin_options()
    ) as publisher:
        with pytest.raises(EventRejected) as rejected:
            publisher.send(after_merger)
        good = publisher.send(opened("VN-SDK-2"))
    assert rejected.value.event_id == str(after_merger.event_id)
    assert "27" in rejected.value.reason and "2025-10-01" in rejected.value.reason
    assert good.topic == settings.agency_topic("qltt") and good.offset == 0


def test_a_topic_that_does_not_exist_is_a_delivery_failure(kafka_bootstrap: str, sqlite_url: str) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)  # topics never created
    with Publisher(
        bootstrap=kafka_bootstrap,
        topic_of=settings.agency_topic,
        connect_timeout_s=2,
        security=admin_options(),
    ) as publisher:
        report = publisher.publish([opened("VN-SDK-3"), opened("VN-SDK-4")])
        with pytest.raises(DeliveryFailed, match="no answer for topic"):
            report.raise_for_failures()
    assert report.sent == 0 and len(report.failed) == 2 and report.rejected == 0


def test_an_unreachable_broker_is_reported_at_once_when_the_publisher_starts() -> None:
    address = f"127.0.0.1:{free_port()}"
    publisher = Publisher(bootstrap=address, topic_of=lambda agency: agency, connect_timeout_s=2)
    with pytest.raises(BrokerUnavailable, match=address):
        publisher.start()
