"""The publisher on the real broker, through its batch fast path and through the plain `send` path:
each confirmed offset holds that event, cases keep their order and partition (kafka-python's
partitioner's choice), rejected events never reach the topic; a declined fast path says so."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import structlog.testing
from kafka.partitioner.default import murmur2

from producers import kafka_batch_fast_path
from producers import publisher as publisher_module
from producers.publisher import Delivery, Publisher
from producers.simulator import simulate_events
from schemas import fast_path_declines
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent, CaseOpened
from services.bootstrap import create_topics
from tests.integration.helpers import admin_options, isolated_settings, read_all

pytestmark = pytest.mark.integration


def breaks_the_contract(event: CaseEvent) -> CaseEvent:
    """Province 27 no longer exists after the 2025-07-01 merger: check_event refuses it."""
    payload = CaseOpened.model_construct(
        **{
            "title": "x",
            "goods": "y",
            "category": "smuggled",
            **{k: v for k, v in dict(event.payload).items() if k in CaseOpened.model_fields},
            "province_code": "27",
        }
    )
    return event.model_copy(
        update={
            "event_type": "CaseOpened",
            "occurred_at": datetime(2025, 10, 1, tzinfo=UTC),
            "payload": payload,
        }
    )


@pytest.mark.parametrize(
    "fast_path",
    [
        pytest.param(True, id="batch_fast_path"),
        # the plain path end to end in `make test`: the declined fast path's test below (300 events)
        pytest.param(False, id="record_send_path", marks=pytest.mark.slow),
    ],
)
def test_small_batches_many_windows_offsets_order_partitions_and_rejections(
    kafka_bootstrap: str, sqlite_url: str, fast_path: bool
) -> None:
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    events = list(simulate_events(25_000, seed=7))  # > two windows
    bad = {i: breaks_the_contract(events[i]) for i in (3, 10_500, 24_000)}
    sent_events = [bad.get(i, e) for i, e in enumerate(events)]
    seen: list[Delivery] = []
    with Publisher(
        bootstrap=kafka_bootstrap,
        topic_of=settings.agency_topic,
        batch_size=16 * 1024,
        security=admin_options(),
        fast_path=fast_path,
    ) as publisher:  # ~50 records a batch: many batches per partition and window
        assert publisher.path.name == ("kafka_batch_fast_path" if fast_path else "kafka_record_send")
        report = publisher.publish(sent_events, on_delivery=seen.append)
    assert publisher.fast_path.total == 0  # turned off is a choice, not a decline

    rejected = {str(e.event_id) for e in bad.values()}
    assert report.rejected_ids == rejected and {f.event_id for f in report.failed} == rejected
    good = [e for e in sent_events if str(e.event_id) not in rejected]
    assert report.sent == len(good) and seen == report.deliveries
    assert [d.event_id for d in report.deliveries] == [str(e.event_id) for e in good]

    where = {(d.topic, d.partition, d.offset): d for d in report.deliveries}
    assert len(where) == len(good)  # no two events confirmed at one offset
    partitions: dict[str, set[int]] = {}
    for d in report.deliveries:
        partitions.setdefault(d.case_id, set()).add(d.partition)
        # the partition kafka-python's default partitioner picks for the key
        assert d.partition == (murmur2(d.case_id.encode()) & 0x7FFFFFFF) % settings.topic_partitions
    assert all(len(p) == 1 for p in partitions.values())

    codec = CaseEventCodec()
    for agency in ("qltt", "customs"):
        topic = settings.agency_topic(agency)
        expected = [d for d in report.deliveries if d.topic == topic]
        records = read_all(kafka_bootstrap, topic, expected=len(expected))
        assert len(records) == len(expected)
        stored: dict[tuple[int, int], Any] = {(r.partition, r.offset): r for r in records}  # type: ignore[attr-defined]
        for d in expected:
            record = stored[(d.partition, d.offset)]
            assert record.key == d.case_id.encode()
            assert str(codec.decode(record.value).event_id) == d.event_id
        by_case: dict[str, list[int]] = {}
        for d in expected:
            by_case.setdefault(d.case_id, []).append(d.offset)
        assert all(offsets == sorted(offsets) for offsets in by_case.values())  # each case in order


def test_a_fast_path_that_declines_says_so_and_the_events_go_through_send(
    kafka_bootstrap: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if a kafka-python upgrade had removed an internal the fast path uses."""
    monkeypatch.setitem(kafka_batch_fast_path.INTERNALS, "ProducerBatch", ("records", "gone_in_3_1"))
    settings = isolated_settings(kafka_bootstrap, sqlite_url)
    create_topics(settings)
    events = list(simulate_events(300, seed=11))
    # loggers are cached on first use: fresh ones, so capture_logs sees these lines whatever ran before
    monkeypatch.setattr(publisher_module, "logger", structlog.get_logger())
    monkeypatch.setattr(fast_path_declines, "logger", structlog.get_logger())
    with (
        structlog.testing.capture_logs() as logs,
        Publisher(
            bootstrap=kafka_bootstrap, topic_of=settings.agency_topic, security=admin_options()
        ) as publisher,
    ):
        report = publisher.publish(events)
    assert publisher.path.name == "kafka_record_send"
    assert publisher.fast_path.counts == {"kafka_internals_changed": 1}
    declined = [log for log in logs if log["event"] == "fast_path_declined"]
    assert len(declined) == 1 and "ProducerBatch has no attribute 'gone_in_3_1'" in declined[0]["detail"]
    summary = next(log for log in logs if log["event"] == "events_published")
    assert summary["path"] == "kafka_record_send" and summary["sent"] == 300
    assert report.sent == 300 and not report.failed
    codec = CaseEventCodec()
    topic = settings.agency_topic("qltt")
    expected = [d for d in report.deliveries if d.topic == topic]
    records = read_all(kafka_bootstrap, topic, expected=len(expected))
    stored = {(r.partition, r.offset): r.value for r in records}  # type: ignore[attr-defined]
    assert len(records) == len(expected) > 0
    assert [str(codec.decode(stored[(d.partition, d.offset)]).event_id) for d in expected] == [
        d.event_id for d in expected
    ]
