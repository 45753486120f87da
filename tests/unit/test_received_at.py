"""The time a record reached the hub, from its Kafka timestamp (any 64-bit number a producer may set):
never later than now, exact to the millisecond, and never an error that would stop a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.decoding import RecordDecoder, _received_at
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from tests.factories import opened

CODEC = CaseEventCodec()
DECODER = RecordDecoder(codec=CODEC, group="g")
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
NOW_MS = int(datetime.now(UTC).timestamp() * 1000)


def record(timestamp_ms: int) -> InboundRecord:
    sent = opened()
    return InboundRecord("casehub.cases.qltt", 0, 1, sent.case_id.encode(), CODEC.encode(sent), timestamp_ms)


def the_old_way(timestamp_ms: int, now: datetime) -> datetime:
    """Before: `fromtimestamp` of the float seconds (which raised past year 9999)."""
    if timestamp_ms <= 0:
        return now
    return min(datetime.fromtimestamp(timestamp_ms / 1000, UTC), now)


@given(INT64)
@settings(max_examples=300, deadline=None)
def test_any_kafka_timestamp_is_a_moment_no_later_than_now_and_as_before_where_that_worked(ms: int) -> None:
    before = datetime.now(UTC)
    received = _received_at(record(ms))
    after = datetime.now(UTC)
    assert received.tzinfo is UTC and received <= after
    try:
        old = the_old_way(ms, received)
    except (ValueError, OverflowError):  # past what a datetime holds: now
        assert before <= received
        return
    if old < before:  # a past timestamp: the very same moment, to the millisecond
        assert received == old
        assert received.microsecond % 1000 == 0


@given(INT64 | st.integers(-(10**7), 10**7).map(lambda d: NOW_MS + d), st.integers(0, 10**9))
@settings(max_examples=300, deadline=None)
def test_a_moment_known_past_gives_the_same_moment_as_asking_the_clock(ms: int, ago_ms: int) -> None:
    """`past` (the batch's start) only spares reading the clock: a timestamp before it is itself, one
    after it is capped at now, as without it."""
    past = datetime.now(UTC) - timedelta(milliseconds=ago_ms)
    before = datetime.now(UTC)
    with_past = _received_at(record(ms), past)
    plain = _received_at(record(ms))
    after = datetime.now(UTC)
    assert with_past.tzinfo is UTC and with_past <= after
    if plain < before:  # the timestamp itself, both ways
        assert with_past == plain
    else:  # capped at now, both ways (read at slightly different instants)
        assert before <= with_past <= after


@given(st.sampled_from([2**63 - 1, 253_402_300_800_000, 253_370_764_800_000, 10**17]) | INT64)
@settings(max_examples=100, deadline=None)
def test_a_record_with_a_far_future_or_odd_timestamp_is_judged_not_a_crash(ms: int) -> None:
    batch = DECODER.decode([record(ms)])
    assert len(batch.events) + len(batch.dead_letters) == 1
    assert batch.next_offsets[0].next_offset == 2


def test_a_timestamp_before_the_event_refuses_it_as_from_the_future() -> None:
    sent = opened()
    sent_ms = int(sent.occurred_at.timestamp() * 1000)
    early = sent_ms - int(timedelta(hours=1).total_seconds() * 1000)
    batch = DECODER.decode([record(early)])
    assert batch.events == [] and "in the future" in batch.dead_letters[0].error_message
    assert DECODER.decode([record(sent_ms)]).events
