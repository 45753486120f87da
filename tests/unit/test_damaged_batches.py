"""A batch the broker's log holds damaged: the fast path's error carries what setting it aside needs, the
sources fetch it again a few times and then hand it on as one record, and the loop stores its dead letter
with the offsets past it in one transaction (the live broker: tests/integration/test_damaged_batches.py).
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kafka import KafkaConsumer
from kafka.consumer.fetcher import Fetcher
from kafka.errors import CorruptRecordError
from kafka.record.default_records import DefaultRecordBatch
from kafka.record.memory_records import MemoryRecords
from kafka.record.util import calc_crc32c
from kafka.structs import TopicPartition
from structlog.testing import capture_logs

from consumers.damaged_batches import (
    FETCHES_BEFORE_DEAD_LETTER,
    DamagedBatch,
    DamagedBatchError,
    DamagedBatchRetries,
)
from consumers.dead_letter_replay import DAMAGED_BATCH_NOT_REPLAYED, replay_dead_letters
from consumers.kafka_fetch_fast_path import FastPartitionRecords
from consumers.kafka_io import KafkaRecordSource
from consumers.log_replay import LogReplaySource
from consumers.materializer import Materializer
from consumers.source import InboundRecord
from consumers.store_errors import StoreUnavailable
from schemas.codec import CaseEventCodec
from tests.factories import opened
from tests.fakes import ListSink, ListSource, MemoryCaseStore
from tests.unit.test_kafka_fetch_fast_path import Batch, data_batch, framed

TP = TopicPartition("casehub.cases.qltt", 4)
_DELTA_AT = DefaultRecordBatch.ATTRIBUTES_OFFSET + 2  # attributes: int16, then lastOffsetDelta: int32
_COUNT_AT = DefaultRecordBatch.HEADER_STRUCT.size - 4  # the header ends with the record count: int32
COUNTING_BYTES = {*range(_DELTA_AT, _DELTA_AT + 4), *range(_COUNT_AT, _COUNT_AT + 4)}
"""Where a v2 batch header keeps lastOffsetDelta and the record count (both under the CRC)."""
CODEC = CaseEventCodec()


def three_batches(compression: int = 0) -> tuple[bytearray, list[int]]:
    """Batches of 2, 3 and 2 records (offsets 0-1, 2-4, 5-6) and where each starts in the buffer."""
    sizes = (2, 3, 2)
    batches = [
        Batch(2, compression, -1, None, False, [(9, b"k", b"v%d" % i, []) for i in range(n)]) for n in sizes
    ]
    starts, buffer = [], bytearray()
    for batch in batches:
        starts.append(len(buffer))
        buffer += framed([batch])
    # framed() numbers each call from 0: give the 2nd and 3rd batch their base offsets
    struct.pack_into(">q", buffer, starts[1], 2)
    struct.pack_into(">q", buffer, starts[2], 5)
    return buffer, starts


def take_all(buffer: bytes, **options: Any) -> tuple[list[InboundRecord], Exception | None]:
    part = FastPartitionRecords(0, TP, MemoryRecords(bytes(buffer)), check_crcs=True, **options)
    records: list[InboundRecord] = []
    try:
        while part and (got := part.take(None)):
            records += got
    except Exception as exc:
        return records, exc
    return records, None


def test_a_batch_failing_its_crc_raises_what_setting_it_aside_needs() -> None:
    buffer, starts = three_batches()
    middle = bytes(buffer[starts[1] : starts[2]])
    buffer[starts[2] - 3] ^= 0x40  # a byte of the middle batch's last record
    records, error = take_all(buffer)
    assert [r.offset for r in records] == [0, 1]
    assert isinstance(error, DamagedBatchError) and isinstance(error, CorruptRecordError)
    assert "failed crc check" in str(error)
    assert (error.topic, error.partition, error.position) == (TP.topic, TP.partition, 2)
    assert (error.first_offset, error.last_offset, error.next_batch_offset) == (2, 4, 5)
    assert error.raw == bytes(buffer[starts[1] : starts[2]]) and error.raw != middle
    assert error.range_known


def test_a_batch_whose_records_do_not_parse_under_a_good_crc_is_damaged_too() -> None:
    """As a broken producer would frame it: the CRC computed over bad bytes (gzip: raw stays compressed)."""
    buffer = bytearray(framed([Batch(2, 0, -1, None, False, [(9, b"k", b"v1", []), (9, b"k", b"v2", [])])]))
    buffer[-1] = 0x7F  # the last record's header count: 63, none there
    struct.pack_into(">I", buffer, DefaultRecordBatch.CRC_OFFSET, crc_of(buffer))
    records, error = take_all(buffer)
    assert [r.offset for r in records] == [0]  # the first record was read before the damage
    assert isinstance(error, DamagedBatchError)
    assert (error.position, error.first_offset, error.last_offset) == (1, 0, 1)
    assert error.next_batch_offset is None and error.raw == bytes(buffer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(data_batch, min_size=1, max_size=4), st.data())
def test_any_byte_damaged_under_the_crc_names_its_batch_exactly(
    batches: list[Batch], data: st.DataObject
) -> None:
    """Whichever batch and byte (compressed or not, transactional or not): the records of the batches
    before it come out, then the error names that batch's offsets, the position and the next batch."""
    starts, buffer, bases, base = [], bytearray(), [], 0
    for batch in batches:
        starts.append(len(buffer))
        bases.append(base)
        framed_batch = bytearray(framed([batch]))
        struct.pack_into(">q", framed_batch, 0, base)  # offsets following each other, as in a log
        buffer += framed_batch
        base += len(batch.records)
    starts.append(len(buffer))
    k = data.draw(st.integers(0, len(batches) - 1))
    at = data.draw(st.integers(starts[k] + DefaultRecordBatch.ATTRIBUTES_OFFSET, starts[k + 1] - 1))
    buffer[at] ^= data.draw(st.integers(1, 255))
    records, failure = take_all(buffer)
    assert [r.offset for r in records] == list(range(bases[k]))
    assert isinstance(failure, DamagedBatchError) and "failed crc check" in failure.reason
    assert (failure.position, failure.first_offset) == (bases[k], bases[k])
    following = bases[k + 1] if k + 1 < len(batches) else None
    assert failure.next_batch_offset == following
    assert failure.raw == bytes(buffer[starts[k] : starts[k + 1]])
    if at - starts[k] in COUNTING_BYTES:  # the range's own bytes damaged: never believed
        assert not failure.range_known
    else:
        assert failure.last_offset == bases[k] + len(batches[k].records) - 1 and failure.range_known


def crc_of(buffer: bytearray) -> int:
    return calc_crc32c(memoryview(buffer)[DefaultRecordBatch.ATTRIBUTES_OFFSET :])


def test_the_librarys_own_path_keeps_its_plain_error() -> None:
    buffer, starts = three_batches()
    buffer[starts[2] - 3] ^= 0x40
    part = Fetcher.PartitionRecords(0, TP, MemoryRecords(bytes(buffer)), check_crcs=True)
    assert [r.offset for r in part.take(None)] == [0, 1]
    with pytest.raises(CorruptRecordError) as raised:
        part.take(None)
    assert not isinstance(raised.value, DamagedBatchError)


def error(
    position: int, first: int, last: int, following: int | None, count: int | None = None
) -> DamagedBatchError:
    """`count`: the header's record count, by default the one the range implies."""
    return DamagedBatchError(
        "failed crc check",
        topic=TP.topic,
        partition=TP.partition,
        position=position,
        first_offset=first,
        last_offset=last,
        next_batch_offset=following,
        records_count=last - first + 1 if count is None else count,
        raw=b"\x00raw",
    )


@pytest.mark.parametrize(
    ("position", "first", "last", "following", "known"),
    [
        (2, 2, 4, 5, True),
        (2, 2, 4, None, True),
        (1, 2, 4, 9, True),  # a gap before and after the batch (a compacted topic)
        (3, 2, 4, 5, True),  # part of the batch was read before its records stopped parsing
        (2, 2, 4, 4, False),  # the claim reaches into the next batch: lastOffsetDelta damaged
        (2, 4, 2, None, False),  # last before first
        (6, 2, 4, None, False),  # the batch cannot be the one answering this position
        (-1, -7, 4, None, False),  # a negative base offset: the header outside the CRC damaged
    ],
)
def test_a_range_is_believed_only_when_the_header_agrees_with_the_fetch(
    position: int, first: int, last: int, following: int | None, known: bool
) -> None:
    assert error(position, first, last, following).range_known is known


def test_a_range_the_record_count_contradicts_is_not_believed() -> None:
    """lastOffsetDelta damaged in the last batch of a fetch (nothing after it to contradict it): 2**24
    offsets claimed for one record; skipping them would pass over every batch behind it."""
    assert not error(0, 0, 2**24, None, count=1).range_known
    assert not error(2, 2, 4, 5, count=2).range_known  # the count damaged instead


@given(
    position=st.integers(-(2**63), 2**63 - 1),
    first=st.integers(-(2**63), 2**63 - 1),
    delta=st.integers(-(2**31), 2**31 - 1),
    following=st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
    count=st.integers(-(2**31), 2**31 - 1),
)
def test_a_believed_range_never_skips_what_the_fetch_shows_beyond_it(
    position: int, first: int, delta: int, following: int | None, count: int
) -> None:
    """Whatever the header says, a range set aside starts at or before the position and ends before the
    batch the broker sent after it, so no record of another batch is ever passed over."""
    damaged = error(position, first, first + delta, following, count=count)
    if damaged.range_known:
        assert damaged.last_offset - damaged.first_offset == count - 1
        assert damaged.first_offset <= damaged.last_offset and position <= damaged.last_offset
        assert following is None or following > damaged.last_offset


def test_retries_then_one_record_past_the_batch() -> None:
    retries = DamagedBatchRetries()
    with capture_logs() as logs:
        judged = [retries.judged(error(2, 2, 4, 5)) for _ in range(FETCHES_BEFORE_DEAD_LETTER)]
    assert judged[:-1] == [None] * (FETCHES_BEFORE_DEAD_LETTER - 1)
    damaged = judged[-1]
    assert isinstance(damaged, DamagedBatch)
    assert (damaged.topic, damaged.partition, damaged.offset, damaged.next_offset) == (TP.topic, 4, 2, 5)
    assert damaged.value == b"\x00raw" and damaged.key is None
    assert "offsets 2-4 (as its header claims)" in damaged.reason and "goes on at 5" in damaged.reason
    events = [log["event"] for log in logs]
    assert events == ["damaged_batch_fetched_again"] * (FETCHES_BEFORE_DEAD_LETTER - 1) + [
        "damaged_batch_set_aside"
    ]
    assert logs[-1]["log_level"] == "error" and logs[-1]["last_offset"] == 4


def test_a_batch_with_no_range_known_stalls_loudly_and_is_never_skipped() -> None:
    retries = DamagedBatchRetries()
    with capture_logs() as logs:
        judged = [retries.judged(error(2, 2, 9, 5)) for _ in range(FETCHES_BEFORE_DEAD_LETTER + 4)]
    assert judged == [None] * (FETCHES_BEFORE_DEAD_LETTER + 4)
    assert retries.stalled == 5
    stalled = [log for log in logs if log["event"] == "damaged_batch_stalled"]
    assert len(stalled) == 5 and all(log["log_level"] == "error" for log in stalled)


class DamagingConsumer(KafkaConsumer):  # type: ignore[misc]
    """A consumer whose polls meet a damaged batch on TP (offsets 2-4) after a good record on another
    partition; it records seeks. Built with `api_version`, it needs no broker."""

    def __init__(self) -> None:
        super().__init__(bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_auto_commit=False)
        self.polls = 0
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.other = TopicPartition("casehub.cases.tax", 0)
        self.only_damage = False
        self.paused_now: set[TopicPartition] = set()

        self.damage: Exception = error(2, 2, 4, 5)
        """What a poll meeting the batch raises (the fast path's error, or another)."""

    def poll(self, timeout_ms: int = 0, max_records: int | None = None, update_offsets: bool = True) -> Any:
        self.polls += 1
        if self.polls % 2 and not self.only_damage:
            return {self.other: [InboundRecord(self.other.topic, 0, self.polls, b"k", b"v")]}
        raise self.damage

    def assignment(self) -> set[TopicPartition]:
        return {TP, self.other}

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused_now |= set(partitions)

    def paused(self) -> set[TopicPartition]:
        return self.paused_now


def test_the_live_source_hands_the_batch_on_and_seeks_past_it_while_other_partitions_flow() -> None:
    source = KafkaRecordSource(
        bootstrap="127.0.0.1:9", group="g", topic_pattern="^casehub[.]cases[.].*", stored_offsets=dict
    )
    consumer = DamagingConsumer()
    try:
        source._consumer = consumer
        source._listener = type("NoPending", (), {"seek_pending": lambda self: True})()  # type: ignore[assignment]
        polled = [source.poll(0.01) for _ in range(2 * FETCHES_BEFORE_DEAD_LETTER)]
        others = [r for batch in polled for r in batch if r.topic == consumer.other.topic]
        assert len(others) == FETCHES_BEFORE_DEAD_LETTER  # every other poll: that partition never waits
        damaged = [r for batch in polled for r in batch if isinstance(r, DamagedBatch)]
        assert [(d.offset, d.next_offset) for d in damaged] == [(2, 5)]
        assert consumer.seeks == [(TP, 5)]
    finally:
        source._consumer = None
        consumer.close()


def test_the_dead_letter_and_the_offsets_past_the_batch_are_stored_together() -> None:
    good = [
        InboundRecord(TP.topic, TP.partition, o, b"C%d" % o, CODEC.encode(opened(f"C{o}"))) for o in (0, 1)
    ]
    after = InboundRecord(TP.topic, TP.partition, 5, b"C5", CODEC.encode(opened("C5")))
    retries = DamagedBatchRetries(fetches=1)
    batch = retries.judged(error(2, 2, 4, 5))
    assert batch is not None
    source, store, sink = ListSource([[*good, batch], [after]]), MemoryCaseStore(), ListSink()
    materializer = materializer_on(source, store, sink)
    materializer.process(source.poll(0))
    assert store.stored_offsets("g") == {(TP.topic, TP.partition): 5}
    (letter,) = store.state.dead_letters.values()
    assert (letter.offset, letter.error_class, letter.value) == (2, "DamagedRecordBatch", b"\x00raw")
    assert "offsets 2-4" in letter.error_message and sink.published == [letter]
    assert source.commits == [{(TP.topic, TP.partition): 5}]
    materializer.process(source.poll(0))
    assert set(store.state.cases) == {"C0", "C1", "C5"}
    assert store.stored_offsets("g") == {(TP.topic, TP.partition): 6}
    report = replay_dead_letters(store, materializer.decoder)
    assert [(o.error_class, o.error_message) for o in report.still_failing] == [
        ("DamagedRecordBatch", DAMAGED_BATCH_NOT_REPLAYED)
    ]


def materializer_on(source: ListSource, store: MemoryCaseStore, sink: ListSink) -> Materializer:
    return Materializer(
        source=source,
        store=store,
        dead_letter_sink=sink,
        codec=CODEC,
        group="g",
        topic_agency=lambda _t: None,
    )


def test_a_store_outage_keeps_the_batch_unskipped_until_both_land() -> None:
    """Exactly once: while the store cannot commit, neither the dead letter nor the offsets past it land;
    retried after the outage, both land in the same transaction, the broker commit after them."""
    batch = DamagedBatchRetries(fetches=1).judged(error(2, 2, 4, 5))
    assert batch is not None
    source, store, sink = ListSource([[batch]]), MemoryCaseStore(), ListSink()
    store.fail_next_transactions = 1
    materializer = materializer_on(source, store, sink)
    records = source.poll(0)
    with pytest.raises(StoreUnavailable):
        materializer.process(records)
    assert store.stored_offsets("g") == {} and store.state.dead_letters == {}
    assert source.commits == []
    materializer.process(records)
    assert store.stored_offsets("g") == {(TP.topic, TP.partition): 5}
    assert [d.offset for d in store.state.dead_letters.values()] == [2]
    assert source.commits == [{(TP.topic, TP.partition): 5}]


def test_the_rebuild_sets_the_batch_aside_too_and_closes_a_partition_it_ends() -> None:
    replay = LogReplaySource(
        bootstrap="127.0.0.1:9",
        topic_pattern="^casehub[.]cases[.].*",
        snapshot={(TP.topic, TP.partition): (0, 5)},
    )
    consumer = DamagingConsumer()
    consumer.only_damage = True  # every poll meets the damaged batch (offsets 2-4)
    try:
        replay._consumer = consumer
        replay.end_offsets = {TP: 5}
        replay._open = {TP}
        with capture_logs():
            (damaged,) = replay.poll(0.01)
        assert isinstance(damaged, DamagedBatch) and (damaged.offset, damaged.next_offset) == (2, 5)
        assert consumer.seeks == [(TP, 5)] and replay._open == set()  # the batch ended the snapshot
        assert consumer.paused_now == {TP} and consumer.polls == FETCHES_BEFORE_DEAD_LETTER
    finally:
        replay._consumer = None
        consumer.close()


def test_the_counts_of_faults_that_passed_stay_bounded() -> None:
    retries = DamagedBatchRetries()
    with capture_logs():
        for position in range(3_000):  # one failed fetch each, then the fault passed
            retries.judged(error(position, position, position, None))
    assert len(retries.failed) == 1024 and (TP.topic, TP.partition, 2_999) in retries.failed
