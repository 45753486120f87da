"""Dead letters of any size: what the dead-letter topic cannot take goes as a reference, not as an outage."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from consumers.clock import utcnow
from consumers.kafka_dead_letters import DEAD_LETTER_PREFIX_BYTES, KafkaDeadLetterSink
from consumers.records import DeadLetter
from services.kafka_admin import ensure_topics
from tests.integration.helpers import admin_options, read_all

pytestmark = pytest.mark.integration


def _letter(offset: int, size: int) -> DeadLetter:
    value = bytes(range(256)) * (size // 256)
    return DeadLetter(
        "g",
        "casehub.cases.qltt",
        0,
        offset,
        "DecodeError",
        "bad frame " + "x" * 1900,
        b"VN-1",
        value,
        utcnow(),
    )


def _headers(record: Any) -> dict[str, bytes]:
    return dict(record.headers)


def test_a_letter_too_large_for_an_old_dead_letter_topic_goes_as_a_reference_and_the_rest_whole(
    kafka_bootstrap: str,
) -> None:
    topic = f"t{uuid.uuid4().hex[:10]}.deadletters"
    ensure_topics(
        kafka_bootstrap, [topic], partitions=1, security=admin_options()
    )  # the broker's default 1 MB limit, as before
    small, large = _letter(1, 1_000), _letter(2, 1_048_000)
    sink = KafkaDeadLetterSink(bootstrap=kafka_bootstrap, topic=topic, security=admin_options())
    try:
        sink.publish([small, large])
    finally:
        sink.close()
    records = read_all(kafka_bootstrap, topic, expected=2)
    # the topic is at least once: the refused batch is sent again, so keep one record per source offset
    by_offset = {int(_headers(r)["casehub.errors.offset"]): r for r in records}
    assert sorted(by_offset) == [1, 2]
    whole, reference = by_offset[1], by_offset[2]
    assert whole.value == small.value and "casehub.errors.value.truncated" not in _headers(whole)
    assert reference.value == (large.value or b"")[:DEAD_LETTER_PREFIX_BYTES]
    assert _headers(reference)["casehub.errors.value.truncated"] == b"true"
    assert _headers(reference)["casehub.errors.value.size"] == str(len(large.value or b"")).encode()


def test_the_dead_letter_topic_the_hub_creates_takes_a_record_of_the_agency_topics_largest_size_whole(
    kafka_bootstrap: str,
) -> None:
    topic = f"t{uuid.uuid4().hex[:10]}.deadletters"
    ensure_topics(
        kafka_bootstrap,
        [topic],
        partitions=1,
        security=admin_options(),
        configs={topic: {"max.message.bytes": str(4 * 1024 * 1024)}},
    )
    large = _letter(7, 1_048_000)
    sink = KafkaDeadLetterSink(bootstrap=kafka_bootstrap, topic=topic, security=admin_options())
    try:
        sink.publish([large])
    finally:
        sink.close()
    (record,) = read_all(kafka_bootstrap, topic, expected=1)
    assert record.value == large.value
    assert "casehub.errors.value.truncated" not in _headers(record)
