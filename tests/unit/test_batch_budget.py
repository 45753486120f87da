"""The batching rule: a polled batch is cut to what fits the time budget at the learned cost per record."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers.batch_budget import (
    BACKLOG_MAX_SECONDS,
    BACKLOG_SHARE,
    STEADY_POLL_RECORDS,
    BatchBudget,
    waited_seconds,
)


def test_nothing_is_cut_before_a_batch_was_written() -> None:
    budget = BatchBudget(0.25)
    assert budget.records is None
    assert budget.cut(list(range(5000))) == (list(range(5000)), [])


def test_a_batch_is_cut_to_the_records_that_fit_the_budget() -> None:
    budget = BatchBudget(0.25)
    budget.observe(records=2000, seconds=1.0)  # 500 µs a record: 500 fit in 250 ms
    assert budget.records == 500
    now, rest = budget.cut(list(range(1200)))
    assert (now, rest) == (list(range(500)), list(range(500, 1200)))


def test_a_poll_that_fits_is_written_whole() -> None:
    budget = BatchBudget(0.25)
    budget.observe(records=100, seconds=0.01)
    assert budget.cut(["a", "b", "c"]) == (["a", "b", "c"], [])


def test_the_floor_keeps_transactions_from_shrinking_to_a_few_records() -> None:
    budget = BatchBudget(0.25, floor=100)
    budget.observe(records=10, seconds=5.0)  # half a second a record: the budget alone would allow none
    assert budget.records == 100
    assert len(budget.cut(list(range(300)))[0]) == 100


def test_the_cost_follows_the_machine_older_batches_fading() -> None:
    budget = BatchBudget(0.2)
    budget.observe(records=1000, seconds=1.0)  # a loaded machine: 1 ms a record
    loaded = budget.records
    for _ in range(20):
        budget.observe(records=1000, seconds=0.1)  # then idle: 100 µs a record
    assert loaded == 200
    assert budget.records is not None and 1900 <= budget.records <= 2000


def test_bigger_batches_weigh_more_in_the_cost() -> None:
    budget = BatchBudget(1.0)
    budget.observe(records=2000, seconds=0.2)  # 100 µs a record
    budget.observe(records=10, seconds=0.02)  # a small batch's fixed costs: 2 ms a record
    cost = budget.seconds_per_record
    assert cost is not None and cost < 0.0002


def test_batches_that_said_nothing_are_ignored() -> None:
    budget = BatchBudget(0.25)
    budget.observe(records=0, seconds=0.3)
    budget.observe(records=10, seconds=-1.0)
    assert budget.records is None
    budget.observe(records=10, seconds=0.0)  # too fast to measure: no limit rather than a division by zero
    assert budget.records is None
    tiny = BatchBudget(0.25)
    tiny.observe(records=5000, seconds=1e-306)  # a cost so small its quotient is infinite: no limit, no error
    assert tiny.seconds_per_record and tiny.records is None
    assert tiny.cut(list(range(3))) == ([0, 1, 2], [])


@pytest.mark.parametrize(
    ("seconds", "floor", "share"),
    [(0.0, 100, 0.1), (-1.0, 100, 0.1), (0.25, 0, 0.1), (0.25, 100, -0.1), (0.25, 100, float("nan"))],
)
def test_a_budget_that_cannot_work_is_refused(seconds: float, floor: int, share: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        BatchBudget(seconds, floor=floor, backlog_share=share)


def test_a_budget_without_a_backlog_share_gives_a_backlog_the_plain_budget() -> None:
    assert BatchBudget(0.25, backlog_share=0.0).seconds_for(3600.0) == 0.25


@given(
    observed=st.lists(st.tuples(st.integers(-5, 5000), st.floats(-1.0, 1e4, allow_nan=False)), max_size=30),
    polled=st.integers(0, 6000),
    seconds=st.floats(1e-6, 100.0),
    floor=st.integers(1, 3000),
)
def test_a_cut_keeps_every_record_in_order_and_writes_at_least_the_floor(
    observed: list[tuple[int, float]], polled: int, seconds: float, floor: int
) -> None:
    budget = BatchBudget(seconds, floor=floor)
    for records, took in observed:
        budget.observe(records, took)
    batch = list(range(polled))
    now, rest = budget.cut(batch)
    assert now + rest == batch
    assert len(now) >= min(polled, floor)
    limit = budget.records
    assert len(now) == (polled if limit is None else min(polled, limit))


def test_a_backlog_part_may_take_a_share_of_what_its_first_record_waited() -> None:
    budget = BatchBudget(0.25)
    budget.observe(records=1000, seconds=0.1)  # 100 µs a record: 2,500 fit the budget
    assert budget.seconds_for(0.05) == 0.25  # fresh: the budget as it is
    assert budget.seconds_for(10.0) == pytest.approx(BACKLOG_SHARE * 10.0)  # waited 10 s: 1 s more
    assert budget.seconds_for(3600.0) == BACKLOG_MAX_SECONDS  # waited an hour: bounded all the same
    assert len(budget.cut(list(range(20_000)))[0]) == 2_500
    assert len(budget.cut(list(range(20_000)), waited_s=10.0)[0]) == 10_000
    assert len(budget.cut(list(range(50_000)), waited_s=3600.0)[0]) == 20_000


def test_polls_take_the_source_limit_only_after_a_backlog_part() -> None:
    budget = BatchBudget(0.25)
    assert budget.poll_records == STEADY_POLL_RECORDS  # nothing cut yet: a steady stream's polls
    budget.cut(list(range(10)), waited_s=30.0)
    assert budget.poll_records is None  # a backlog: the source's own limit, so parts can grow
    budget.cut(list(range(10)), waited_s=0.5)
    assert budget.poll_records == STEADY_POLL_RECORDS


@pytest.mark.parametrize("waited", [0.0, -5.0, float("nan"), float("-inf")])
def test_no_wait_known_is_no_wait(waited: float) -> None:
    assert BatchBudget(0.25).seconds_for(waited) == 0.25


@pytest.mark.parametrize(
    ("timestamp_ms", "now_ms", "expected"),
    [(0, 1e12, 0.0), (-1, 1e12, 0.0), (2_000_000_000_000, 1e12, 0.0), (999_000, 1_000_000.0, 1.0)],
)
def test_the_wait_of_a_record_is_known_only_from_a_past_timestamp(
    timestamp_ms: int, now_ms: float, expected: float
) -> None:
    assert waited_seconds(timestamp_ms, now_ms) == expected


@given(
    waited=st.floats(allow_nan=True, allow_infinity=True),
    seconds=st.floats(1e-6, 100.0),
    cost=st.floats(1e-7, 1.0),
    polled=st.integers(0, 30_000),
)
def test_any_wait_gives_a_bounded_budget_and_an_ordered_cut(
    waited: float, seconds: float, cost: float, polled: int
) -> None:
    budget = BatchBudget(seconds, floor=1)
    budget.observe(records=1000, seconds=1000 * cost)
    allowed = budget.seconds_for(waited)
    assert seconds <= allowed <= max(seconds, BACKLOG_MAX_SECONDS)
    batch = list(range(polled))
    now, rest = budget.cut(batch, waited_s=waited)
    assert now + rest == batch
    assert len(budget.cut(batch)[0]) <= len(now) <= len(budget.cut(batch, waited_s=float("inf"))[0])
