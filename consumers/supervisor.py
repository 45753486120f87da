"""Keeps an in-process consumer running in `casehub up`: a crashed loop is rebuilt and restarted with
back-off, and said so, instead of a dead thread behind a hub that answers "ready".

A restart builds a NEW consumer (a fresh group member that seeks to the store's offsets): the old one's
position may already be past the batch that failed, and re-running its loop would skip that batch.
`casehub consume` does not restart itself; it exits 1 with one line so its orchestrator restarts it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import structlog

from consumers.backoff import Backoff
from consumers.liveness import Liveness

logger = structlog.get_logger()


class Worker(Protocol):
    liveness: Liveness

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> object: ...

    def close(self) -> None: ...


class Supervisor:
    """Run `build()`'s worker until `stop`; on a crash close it, wait (back-off), build a new one."""

    def __init__(
        self,
        name: str,
        build: Callable[[Liveness], Worker],
        liveness: Liveness,
        say: Callable[[str], None],
        backoff: Backoff | None = None,
    ) -> None:
        self.name = name
        self.build = build
        self.liveness = liveness
        self.say = say
        self.backoff = backoff or Backoff(initial_s=1.0, maximum_s=60.0)
        self.worker: Worker | None = None

    def run(self, stop: threading.Event) -> None:
        delays = self.backoff.delays()
        while not stop.is_set():
            try:
                self.worker = self.build(self.liveness)
                self.worker.run(stop)
            except Exception as exc:  # any crash: the loop must come back, and say why it went
                self.liveness.stopped(exc)
                delay = next(delays)
                logger.error(
                    "consumer_crashed", consumer=self.name, error=repr(exc)[:500], restart_in_s=delay
                )
                self._close()  # leave the group first: lag tools show nobody consumes
                self.say(
                    f"{self.liveness.problem() or type(exc).__name__} — "
                    f"restarting in {delay:.0f}s (restart {self.liveness.restarts + 1})"
                )
                if stop.wait(delay):
                    return
                self.liveness.restarting()
            else:
                return
            finally:
                if stop.is_set():
                    self._close()

    def _close(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            try:
                worker.close()
            except Exception as exc:  # a broken client must not stop the restarts
                logger.warning("consumer_close_failed", consumer=self.name, reason=str(exc))
