"""The loop decoding the next part of a poll in a worker while it writes this one (consumers/decode_ahead.py):
parts are written in order with their own offsets, a registry outage met in the worker is retried and
loses nothing, a refusal isolates only its part, and the worker never outlives the loop."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st

from consumers.backoff import Backoff
from consumers.decode_ahead import OVERLAP_FLOOR, OVERLAP_PARTS, DecodeAhead, overlap_parts
from consumers.decoding import DecodedBatch, RecordDecoder
from consumers.materializer import Materializer
from consumers.ports.case_store import StoreTransaction
from consumers.source import InboundRecord
from schemas.outages import RegistryUnavailable
from tests.fakes import ListSink, ListSource, MemoryCaseStore
from tests.unit.test_budgeted_loop import CODEC, TOPIC, FixedBudget, records

WORKER = "decode-ahead"


class WatchedDecoder(RecordDecoder):
    """The real decoder, remembering which thread decoded which first offset; can fail in the worker."""

    def __init__(self, registry_failures_in_worker: int = 0) -> None:
        super().__init__(codec=CODEC, group="g", topic_agency=lambda _topic: "qltt")
        self.failures = registry_failures_in_worker
        self.calls: list[tuple[int, int, bool]] = []

    def decode(self, records: Sequence[InboundRecord]) -> DecodedBatch:
        in_worker = threading.current_thread().name.startswith(WORKER)
        self.calls.append((records[0].partition, records[0].offset, in_worker))
        if in_worker and self.failures:
            self.failures -= 1
            raise RegistryUnavailable("registry http://registry:8081 did not answer")
        return super().decode(records)


class CommitLog(MemoryCaseStore):
    """The fake store, remembering per committed transaction its events' offsets and the saved offsets."""

    def __init__(
        self, refuses: str | None = None, stop_after: int | None = None, stop: threading.Event | None = None
    ) -> None:
        super().__init__(refuse=lambda e: "value too long (fake)" if e.case_id == refuses else None)
        self.committed: list[tuple[list[int], dict[tuple[str, int], int]]] = []
        self.stop_after, self.stop = stop_after, stop

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        before = set(self.state.events)
        with super().transaction() as tx:
            yield tx
        added = sorted(e.source_offset for i, e in self.state.events.items() if i not in before)
        self.committed.append((added, self.stored_offsets("g")))
        if self.stop is not None and len(self.committed) == self.stop_after:
            self.stop.set()


def run(
    batches: list[list[InboundRecord]], store: CommitLog, decoder: WatchedDecoder, budget: int | None = 3
) -> tuple[ListSource, ListSink, threading.Event]:
    source, sink, stop = ListSource(batches), ListSink(), store.stop or threading.Event()
    materializer = Materializer(
        source=source,
        store=store,
        dead_letter_sink=sink,
        codec=CODEC,
        group="g",
        topic_agency=lambda _topic: "qltt",
        backoff=Backoff(initial_s=0.01, maximum_s=0.02),
        budget=FixedBudget(budget) if budget is not None else None,
    )
    materializer.decoder = decoder
    materializer.run(stop, idle_exit_s=0.05)
    return source, sink, stop


def test_parts_are_decoded_ahead_and_written_in_order_each_with_its_offsets() -> None:
    store, decoder = CommitLog(), WatchedDecoder()
    source, _sink, _stop = run([records(0, 7, 100), records(1, 2, 200)], store, decoder)
    # Parts 2 and 3 of the first poll were decoded in the worker; each poll's first part on the loop.
    assert decoder.calls == [(0, 0, False), (0, 3, True), (0, 6, True), (1, 0, False)]
    assert [added for added, _offsets in store.committed if added] == [[0, 1, 2], [3, 4, 5], [6], [0, 1]]
    saved = [offsets.get((TOPIC, 0)) for _added, offsets in store.committed]
    assert saved == [3, 6, 7, 7]
    assert source.commits == [{(TOPIC, 0): 3}, {(TOPIC, 0): 6}, {(TOPIC, 0): 7}, {(TOPIC, 1): 2}]


def test_a_registry_outage_in_the_worker_is_retried_on_the_loop_and_nothing_is_lost() -> None:
    store, decoder = CommitLog(refuses="C101"), WatchedDecoder(registry_failures_in_worker=1)
    source, sink, _stop = run([records(0, 7, 100)], store, decoder)
    assert decoder.failures == 0
    assert (0, 3, True) in decoder.calls and decoder.calls.count((0, 3, False)) == 1  # retried on the loop
    assert source.commits == [{(TOPIC, 0): 3}, {(TOPIC, 0): 6}, {(TOPIC, 0): 7}]
    assert sorted(store.state.cases) == sorted(f"C{100 + i}" for i in range(7) if i != 1)
    assert [letter.offset for letter in sink.published] == [1]  # C101: the store's refusal, nothing else


def test_a_refusal_isolates_its_part_and_the_next_part_is_still_written() -> None:
    store, decoder = CommitLog(refuses="C101"), WatchedDecoder()
    _source, sink, _stop = run([records(0, 7, 100)], store, decoder)
    assert [(letter.offset, letter.error_class) for letter in sink.published] == [(1, "StoreRejected")]
    assert [d.offset for d in store.state.dead_letters.values()] == [1]
    assert [added for added, _offsets in store.committed if added] == [[0, 2], [3, 4, 5], [6]]
    assert store.stored_offsets("g") == {(TOPIC, 0): 7}


def test_stop_during_a_pipelined_poll_writes_whole_parts_and_leaves_no_worker() -> None:
    stop = threading.Event()
    store, decoder = CommitLog(refuses="C101", stop_after=1, stop=stop), WatchedDecoder()
    source, _sink, _stop = run([records(0, 7, 100)], store, decoder)
    assert [added for added, _offsets in store.committed if added] == [[0, 2]]
    assert store.stored_offsets("g") == {(TOPIC, 0): 3} and source.commits == [{(TOPIC, 0): 3}]
    assert (0, 3, True) in decoder.calls  # part 2 was being decoded ahead when the loop stopped
    assert not [t for t in threading.enumerate() if t.name.startswith(WORKER)]


def test_without_a_budget_a_big_poll_is_cut_for_overlap_and_written_whole_in_order() -> None:
    polled = records(0, 2 * OVERLAP_FLOOR + 10, 1000)
    store, decoder = CommitLog(), WatchedDecoder()
    source, _sink, _stop = run([polled], store, decoder, budget=None)
    assert decoder.calls == [(0, 0, False), (0, OVERLAP_FLOOR, True)]
    assert source.commits == [{(TOPIC, 0): OVERLAP_FLOOR}, {(TOPIC, 0): len(polled)}]
    assert len(store.state.events) == len(polled)


def test_a_closed_decode_ahead_has_joined_its_worker() -> None:
    started, release = threading.Event(), threading.Event()

    def slow(records: Sequence[InboundRecord]) -> DecodedBatch:
        started.set()
        release.wait(5)
        return DecodedBatch([], [], [])

    ahead = DecodeAhead(slow)
    ahead.start(records(0, 1, 1))
    assert started.wait(5)
    threading.Timer(0.05, release.set).start()
    ahead.close()  # waits for the running decode
    assert not [t for t in threading.enumerate() if t.name.startswith(WORKER)]


@given(st.integers(min_value=0, max_value=20_000))
def test_overlap_parts_keep_every_record_in_order_in_few_big_enough_parts(count: int) -> None:
    polled = list(range(count))
    parts = overlap_parts(polled)  # type: ignore[arg-type]
    assert [r for part in parts for r in part] == polled
    assert len(parts) <= OVERLAP_PARTS
    assert all(part for part in parts)
    assert len(parts) == 1 or all(len(part) >= OVERLAP_FLOOR for part in parts)
