"""A poll asked for fewer records than the source's limit takes that many; never more than the limit, which
kafka-python's `poll(max_records=...)` alone would exceed (the loop asks for a steady stream's 2,000 from
sources configured for 150 in the fault tests)."""

from __future__ import annotations

import pytest

from consumers.kafka_io import KafkaRecordSource
from consumers.log_replay import LogReplaySource


def live(limit: int) -> KafkaRecordSource:
    return KafkaRecordSource(  # building one never connects
        bootstrap="127.0.0.1:1", group="g", topic_pattern="t", stored_offsets=dict, max_poll_records=limit
    )


@pytest.mark.parametrize(
    ("limit", "asked", "taken"),
    [(150, 2000, 150), (150, None, 150), (8000, 2000, 2000), (8000, None, 8000), (8000, 0, 1), (8000, -5, 1)],
)
def test_a_poll_takes_what_is_asked_within_the_source_limit(
    limit: int, asked: int | None, taken: int
) -> None:
    assert live(limit).poll_limit(asked) == taken
    replay = LogReplaySource(bootstrap="127.0.0.1:1", topic_pattern="t", max_poll_records=limit)
    assert replay.poll_limit(asked) == taken
