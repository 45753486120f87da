"""The loop with a batch budget (fakes): a big poll is written in parts, in order, before the next poll,
each part its own transaction with its offsets, and nothing is lost when a part meets an outage."""

from __future__ import annotations

import threading
import time

from consumers.backoff import Backoff
from consumers.batch_budget import STEADY_POLL_RECORDS, BatchBudget
from consumers.materializer import Materializer
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from tests.factories import opened
from tests.fakes import ListSink, ListSource, MemoryCaseStore

CODEC = CaseEventCodec()
TOPIC = "casehub.cases.qltt"


class FixedBudget(BatchBudget):
    """The real cutting with a fixed number of records, remembering what the loop told it."""

    def __init__(self, fixed: int) -> None:
        super().__init__(1.0, floor=1)
        self.fixed = fixed
        self.observed: list[int] = []
        self.asked: list[float] = []

    def records_within(self, seconds: float) -> int | None:
        self.asked.append(seconds)
        return self.fixed

    def observe(self, records: int, seconds: float) -> None:
        assert seconds >= 0
        self.observed.append(records)


def records(partition: int, count: int, first_case: int, timestamp_ms: int = 0) -> list[InboundRecord]:
    cases = [f"C{first_case + offset}" for offset in range(count)]
    return [
        InboundRecord(TOPIC, partition, offset, case.encode(), CODEC.encode(opened(case)), timestamp_ms)
        for offset, case in enumerate(cases)
    ]


def run(
    batches: list[list[InboundRecord]],
    budget: BatchBudget | None,
    store: MemoryCaseStore | None = None,
    source: ListSource | None = None,
) -> tuple[ListSource, MemoryCaseStore]:
    store = store or MemoryCaseStore()
    source = source or ListSource(batches)
    materializer = Materializer(
        source=source,
        store=store,
        dead_letter_sink=ListSink(),
        codec=CODEC,
        group="g",
        topic_agency=lambda _topic: "qltt",
        backoff=Backoff(initial_s=0.01, maximum_s=0.02),
        budget=budget,
    )
    materializer.run(threading.Event(), idle_exit_s=0.05)
    return source, store


def test_a_poll_above_the_budget_is_written_in_parts_before_the_next_poll() -> None:
    budget = FixedBudget(3)
    source, store = run([records(0, 7, 100), records(1, 2, 200)], budget)
    # Partition 1's poll comes after every part of partition 0's: no poll between the parts.
    assert source.commits == [{(TOPIC, 0): 3}, {(TOPIC, 0): 6}, {(TOPIC, 0): 7}, {(TOPIC, 1): 2}]
    assert budget.observed == [3, 3, 1, 2]
    assert len(store.state.events) == 9 and not store.state.dead_letters
    assert store.stored_offsets("g") == {(TOPIC, 0): 7, (TOPIC, 1): 2}


def test_without_a_budget_each_poll_is_one_transaction() -> None:
    source, store = run([records(0, 7, 100), records(1, 2, 200)], None)
    assert source.commits == [{(TOPIC, 0): 7}, {(TOPIC, 1): 2}]
    assert len(store.state.events) == 9


def test_a_part_that_meets_an_outage_is_retried_and_the_rest_still_follows() -> None:
    store = MemoryCaseStore()
    store.fail_next_transactions = 2  # the first part fails twice, then the store is back
    source, store = run([records(0, 5, 100)], FixedBudget(2), store)
    assert store.fail_next_transactions == 0
    assert source.commits == [{(TOPIC, 0): 2}, {(TOPIC, 0): 4}, {(TOPIC, 0): 5}]
    assert sorted(store.state.cases) == [f"C{100 + i}" for i in range(5)]
    assert source.paused is False


def test_the_real_budget_learns_from_the_first_batch_and_cuts_the_next() -> None:
    # A budget no record fits: the floor decides once a batch was timed; the first poll is whole.
    source, store = run([records(0, 5, 100), records(1, 5, 200)], BatchBudget(1e-9, floor=2))
    assert source.commits == [{(TOPIC, 0): 5}, {(TOPIC, 1): 2}, {(TOPIC, 1): 4}, {(TOPIC, 1): 5}]
    assert len(store.state.events) == 10


def test_a_backlog_gets_a_bigger_budget_fresh_records_the_budget_as_it_is() -> None:
    """The loop tells the budget how long each part's first record waited (its Kafka timestamp)."""
    budget = FixedBudget(3)
    waited = int(time.time() * 1000) - 40_000  # sent 40 s ago: a backlog
    fresh = int(time.time() * 1000) + 60_000  # a sender's clock ahead of ours: no wait known
    source, store = run([records(0, 4, 100, waited), records(1, 2, 200, fresh), records(2, 1, 300)], budget)
    assert source.commits == [{(TOPIC, 0): 3}, {(TOPIC, 0): 4}, {(TOPIC, 1): 2}, {(TOPIC, 2): 1}]
    assert [round(seconds, 1) for seconds in budget.asked] == [2.0, 2.0, 1.0, 1.0]
    assert len(store.state.events) == 7
    # Polls take a steady stream's 2,000 at most; the one after a backlog's part, the source's own limit.
    assert source.asked[:3] == [STEADY_POLL_RECORDS, None, STEADY_POLL_RECORDS]
    assert set(source.asked[3:]) == {STEADY_POLL_RECORDS}


class RebalancingSource(ListSource):
    """The group starts rebalancing once the first part is committed; a poll after that is the rejoin,
    which (as Kafka does after the listener's seek) hands out the partition again from the stored offset."""

    def __init__(self, batches: list[list[InboundRecord]], store: MemoryCaseStore) -> None:
        super().__init__(batches)
        self.store = store
        self.pending_seen: list[bool] = []
        self.committed_at_rejoin: int | None = None

    def rebalance_pending(self) -> bool:
        pending = len(self.commits) == 1 and len(self.asked) == 1
        self.pending_seen.append(pending)
        return pending

    def poll(self, timeout_s: float, max_records: int | None = None) -> list[InboundRecord]:
        if len(self.asked) == 1:  # the rejoin: from where the store says partition 0 stands
            self.asked.append(max_records)
            self.committed_at_rejoin = len(self.commits)
            stored = self.store.stored_offsets("g")[(TOPIC, 0)]
            return [r for r in records(0, 7, 100) if r.offset >= stored]
        return super().poll(timeout_s, max_records)


def test_a_rebalance_leaves_the_held_parts_unwritten_and_they_are_read_again_after_the_rejoin() -> None:
    store = MemoryCaseStore()
    source = RebalancingSource([records(0, 7, 100)], store)
    run([], FixedBudget(3), store, source)
    # The first part written, the group rebalancing: the rest is not written before the rejoin's poll.
    assert source.commits == [{(TOPIC, 0): 3}, {(TOPIC, 0): 6}, {(TOPIC, 0): 7}]
    assert source.committed_at_rejoin == 1 and source.pending_seen[0] is True
    assert sorted(e.case_id for e in store.state.events.values()) == sorted(f"C{100 + n}" for n in range(7))
    assert store.stored_offsets("g") == {(TOPIC, 0): 7}
