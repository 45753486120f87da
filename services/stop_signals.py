"""Ctrl-C and SIGTERM as a stop request, installed explicitly: a job started in the background
inherits SIGINT ignored, and SIGTERM would otherwise kill the process without a clean stop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable


def stop_on_signals(stop: threading.Event, say: Callable[[str], None] = lambda _message: None) -> None:
    """Set `stop` on SIGINT or SIGTERM (call from the main thread)."""

    def request_stop(signum: int, _frame: object) -> None:
        say(f"{signal.Signals(signum).name} received, stopping...")
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
