"""The alert sweep's own job: it runs at once and every interval, waits out an outage (saying so to
/readyz after the stall time) and stops on anything else, with the reason kept for its supervisor."""

from __future__ import annotations

import threading

import pytest

from consumers.liveness import Liveness
from consumers.scheduled_job import ScheduledJob
from consumers.store_errors import StoreUnavailable
from schemas.outages import BrokerUnavailable


def test_a_job_runs_at_once_then_every_interval_and_once_more_when_asked_at_the_end() -> None:
    runs: list[int] = []
    job = ScheduledJob("alert sweep", lambda: runs.append(1), interval_s=0.01, final_run=True)
    assert job.run(threading.Event(), idle_exit_s=0.1) == len(runs)
    assert len(runs) >= 3  # at once, on the ticks, and the final run
    assert job.liveness.problem() == "alert sweep stopped: exited"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_retried_on_the_next_tick_and_a_long_one_makes_the_job_not_ready() -> None:
    outcomes: list[Exception | None] = [
        StoreUnavailable("store down"),
        BrokerUnavailable("broker down"),
        None,
    ]
    seen: list[str | None] = []
    clock = Clock()
    live = Liveness("alert sweep", stall_after_s=60, clock=clock)

    def sweep() -> None:
        seen.append(live.problem())
        clock.now += 61  # each tick comes a minute later
        if (failure := outcomes.pop(0)) is not None:
            raise failure

    job = ScheduledJob("alert sweep", sweep, interval_s=0.01, liveness=live)
    live.started()
    assert [job.run_once(), job.run_once(), job.run_once()] == [False, False, True]
    assert seen == [None, None, "alert sweep has retried the same batch for 61s: broker down"]
    assert (job.runs, job.failures) == (1, 2) and live.problem() is None


def test_an_error_that_is_no_outage_stops_the_job_with_its_reason() -> None:
    def sweep() -> None:
        raise KeyError("rule config lost")

    job = ScheduledJob("alert sweep", sweep, interval_s=0.01)
    with pytest.raises(KeyError):
        job.run(threading.Event())
    assert job.liveness.problem() == "alert sweep stopped: KeyError: 'rule config lost'"


def test_a_stop_ends_the_wait_at_once_and_a_nonsense_interval_is_refused() -> None:
    stop = threading.Event()
    job = ScheduledJob("alert sweep", stop.set, interval_s=3600)
    job.run(stop)  # the first run sets stop: no hour-long wait follows
    assert job.runs == 1
    with pytest.raises(ValueError, match="must be positive"):
        ScheduledJob("alert sweep", lambda: None, interval_s=0)
