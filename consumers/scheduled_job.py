"""A job run every interval on a thread of its own — the alert sweep — with the liveness marks a tracking
consumer has, so /readyz and `casehub up` say when it stops or keeps failing.

Not inside a consumer's poll loop: the sweep reads the whole store, and a slow sweep must not hold back
linking (nor a busy topic delay the alerts); each runs, restarts and reports on its own.

An outage (`StoreUnavailable`, `BrokerUnavailable`, or any other `ServiceUnavailable`) is waited out: the
job retries at the next tick and reports "retrying" until a run succeeds (past `stall_after_s`, /readyz
says not ready). Any other error stops the job (raised), and its supervisor restarts it with back-off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from consumers.liveness import Liveness
from schemas.outages import ServiceUnavailable

logger = structlog.get_logger()


class ScheduledJob:
    """Run `action` at once, then every `interval_s` until `stop`; with `final_run`, once more at the end
    (so a job stopped after new data still covers it: `entities consume --until-idle` ends with a sweep)."""

    def __init__(
        self,
        name: str,
        action: Callable[[], object],
        interval_s: float,
        liveness: Liveness | None = None,
        *,
        final_run: bool = False,
        close: Callable[[], None] = lambda: None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"the interval of {name} must be positive, not {interval_s}")
        self.name = name
        self.action = action
        self.interval_s = interval_s
        self.liveness = liveness or Liveness(name, stall_after_s=max(60.0, 3 * interval_s))
        self.final_run = final_run
        self.runs = 0
        self.failures = 0
        self._close = close

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> int:
        """Until `stop` (or, with idle_exit_s, for about that long); returns how many runs succeeded."""
        self.liveness.started()
        try:
            self._loop(stop, idle_exit_s)
        except BaseException as exc:
            self.liveness.stopped(exc)
            raise
        self.liveness.stopped(None)
        return self.runs

    def run_once(self) -> bool:
        """One run now; True when it succeeded, False when an outage made it wait for the next tick."""
        self.liveness.beat()
        began = time.perf_counter()
        try:
            self.action()
        except ServiceUnavailable as exc:
            self.failures += 1
            self.liveness.retrying(str(exc))
            logger.warning(
                "scheduled_job_waiting", job=self.name, reason=str(exc), retry_in_s=self.interval_s
            )
            return False
        self.runs += 1
        if (waited := self.liveness.recovered()) is not None:
            logger.info("outage_recovered", job=self.name, waited_s=round(waited, 1))
        logger.info("scheduled_job_ran", job=self.name, seconds=round(time.perf_counter() - began, 3))
        return True

    def close(self) -> None:
        """Close what the action holds open (the alert sink's producer)."""
        self._close()

    def _loop(self, stop: threading.Event, idle_exit_s: float | None) -> None:
        deadline = None if idle_exit_s is None else time.monotonic() + idle_exit_s
        while not stop.is_set():
            self.run_once()
            wait = self.interval_s if deadline is None else min(self.interval_s, deadline - time.monotonic())
            if wait <= 0 or stop.wait(wait):
                break
            self.liveness.beat()
        if self.final_run:
            self.run_once()
