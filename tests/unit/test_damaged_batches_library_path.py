"""A damaged batch where no range can be believed — on our parse with an untrustworthy header, or on
kafka-python's own parse (its plain error names no offsets): the live source stalls the partition loudly
while the others flow; a rebuild stops saying where. (The live broker: tests/integration/
test_damaged_batches.py.)"""

from __future__ import annotations

import pytest
from kafka.errors import CorruptRecordError
from structlog.testing import capture_logs

from consumers.damaged_batches import FETCHES_BEFORE_DEAD_LETTER, DamagedLog
from consumers.kafka_io import KafkaRecordSource
from consumers.log_replay import LogReplaySource
from tests.unit.test_damaged_batches import TP, DamagingConsumer, error

LIBRARY_ERROR = CorruptRecordError(
    "Record batch for partition TopicPartition(topic='casehub.cases.qltt', partition=4) "
    "at offset 2 failed crc check"
)
"""kafka-python's own words when its parse (ours declined) meets the damaged batch: no offsets to act on."""


@pytest.mark.parametrize("damage", [error(2, 2, 9, 5), LIBRARY_ERROR], ids=["range_unknown", "library_path"])
def test_the_rebuild_stops_saying_where_when_the_batch_cannot_be_set_aside(damage: Exception) -> None:
    """Where the live consumer stalls (no range to skip), a replay could never finish the partition: it
    stops with one line saying where and what to repair, after the same retries, instead of fetching
    forever."""
    replay = LogReplaySource(
        bootstrap="127.0.0.1:9",
        topic_pattern="^casehub[.]cases[.].*",
        snapshot={(TP.topic, TP.partition): (0, 9)},
    )
    consumer = DamagingConsumer()
    consumer.only_damage = True
    consumer.damage = damage
    try:
        replay._consumer = consumer
        replay.end_offsets = {TP: 9}
        replay._open = {TP}
        with capture_logs() as logs, pytest.raises(DamagedLog) as stopped:
            replay.poll(0.01)
        assert consumer.polls == FETCHES_BEFORE_DEAD_LETTER and consumer.seeks == []
        assert "casehub.cases.qltt" in str(stopped.value) and "offset 2" in str(stopped.value)
        assert "Repair the broker's copy" in str(stopped.value)
        assert [log["event"] for log in logs][-1] == "damaged_batch_stalled"
    finally:
        replay._consumer = None
        consumer.close()


def test_the_live_source_on_the_librarys_path_stalls_the_partition_loudly_and_others_flow() -> None:
    """The library's plain error (no offsets): never a record set aside, never a seek; after the retries
    each fetch of it says `damaged_batch_stalled` at error level; the other partition's polls go on."""
    source = KafkaRecordSource(
        bootstrap="127.0.0.1:9", group="g", topic_pattern="^casehub[.]cases[.].*", stored_offsets=dict
    )
    consumer = DamagingConsumer()
    consumer.damage = LIBRARY_ERROR
    try:
        source._consumer = consumer
        source._listener = type("NoPending", (), {"seek_pending": lambda self: True})()  # type: ignore[assignment]
        with capture_logs() as logs:
            polled = [source.poll(0.01) for _ in range(4 * FETCHES_BEFORE_DEAD_LETTER)]
        records = [r for batch in polled for r in batch]
        assert len(records) == 2 * FETCHES_BEFORE_DEAD_LETTER
        assert all(r.topic == consumer.other.topic for r in records) and consumer.seeks == []
        events = [log["event"] for log in logs]
        assert events.count("damaged_batch_fetched_again") == FETCHES_BEFORE_DEAD_LETTER - 1
        stalled = [log for log in logs if log["event"] == "damaged_batch_stalled"]
        assert len(stalled) == FETCHES_BEFORE_DEAD_LETTER + 1 and source.damaged_batches.stalled == len(
            stalled
        )
        assert all(log["log_level"] == "error" and log["path"] == "kafka_records" for log in stalled)
        assert "broker_unavailable_polling" not in events
    finally:
        source._consumer = None
        consumer.close()
