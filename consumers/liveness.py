"""Whether a consumer is still doing its job, as its own loop reports it — for /readyz and `casehub up`.

Kafka's group membership says nothing here: kafka-python's heartbeat thread keeps a member alive after
the polling thread died, and a consumer retrying one batch forever still owns its partitions. So the
loop itself reports: a beat per poll, the start and end of a retry, and how it stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Liveness:
    """Thread-safe progress marks of one consumer loop; `problem()` is None while it is healthy.

    Not ready when: the loop stopped (crash or exit), the same batch has been retried for longer than
    `stall_after_s` (an outage that lasts, or an error wrongly taken for one), or no poll came for
    longer than `stall_after_s` (the loop hangs inside a call).
    """

    def __init__(
        self, name: str, stall_after_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.stall_after_s = stall_after_s
        self.clock = clock
        self.restarts = 0
        self._lock = threading.Lock()
        self._last_beat = clock()
        self._retrying_since: float | None = None
        self._retry_reason = ""
        self._stopped: str | None = None
        self._running = False

    def started(self) -> None:
        with self._lock:
            self._running, self._stopped = True, None
            self._last_beat = self.clock()

    def beat(self) -> None:
        with self._lock:
            self._last_beat = self.clock()

    def retrying(self, reason: str) -> None:
        """A batch failed with an outage and will be retried (the first call starts the clock)."""
        with self._lock:
            if self._retrying_since is None:
                self._retrying_since = self.clock()
            self._retry_reason = reason

    def recovered(self) -> float | None:
        """The retried batch went through; returns how long it was retried (None if it was not)."""
        with self._lock:
            since, self._retrying_since = self._retrying_since, None
            self._last_beat = self.clock()
        return None if since is None else self.clock() - since

    def stopped(self, error: BaseException | None) -> None:
        """The loop returned (error None) or raised."""
        with self._lock:
            self._running = False
            self._retrying_since = None
            self._stopped = "exited" if error is None else f"{type(error).__name__}: {_first_line(error)}"

    def restarting(self) -> None:
        with self._lock:
            self.restarts += 1

    def problem(self) -> str | None:
        with self._lock:
            now = self.clock()
            if self._stopped is not None:
                restarts = f" (restarted {self.restarts} times)" if self.restarts else ""
                return f"{self.name} stopped: {self._stopped}{restarts}"
            if not self._running:
                return f"{self.name} not started"
            if self._retrying_since is not None and now - self._retrying_since > self.stall_after_s:
                return (
                    f"{self.name} has retried the same batch for {now - self._retrying_since:.0f}s: "
                    f"{self._retry_reason}"
                )
            if self._retrying_since is None and now - self._last_beat > self.stall_after_s:
                return f"{self.name} has not polled for {now - self._last_beat:.0f}s"
        return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else ""
