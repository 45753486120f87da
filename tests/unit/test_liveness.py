"""What makes a consumer not ready, on a clock the test moves."""

from __future__ import annotations

from consumers.liveness import Liveness


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_not_started_running_silent_retrying_recovered_stopped() -> None:
    clock = Clock()
    live = Liveness("materializer", stall_after_s=60, clock=clock)
    assert live.problem() == "materializer not started"
    live.started()
    assert live.problem() is None
    clock.now += 61
    assert live.problem() == "materializer has not polled for 61s"
    live.beat()
    live.retrying("store down")
    clock.now += 30
    assert live.problem() is None  # a short outage is waited out, ready all along
    live.retrying("store still down")
    clock.now += 31
    assert live.problem() == "materializer has retried the same batch for 61s: store still down"
    assert live.recovered() == 61
    assert live.recovered() is None and live.problem() is None
    live.stopped(ValueError("bad\nmore"))
    assert live.problem() == "materializer stopped: ValueError: bad"
    live.restarting()
    assert live.problem() == "materializer stopped: ValueError: bad (restarted 1 times)"
    live.started()
    assert live.problem() is None
