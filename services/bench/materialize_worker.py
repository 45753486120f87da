"""Child process of the benchmark: materialize N preloaded records, print rate and peak RSS as JSON."""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from collections.abc import Sequence

from consumers.observer import BatchObserver
from services.bootstrap import build_materializer, open_store
from services.settings import Settings
from services.store.records import DeadLetter, StoredEvent


class UntilAllRead(BatchObserver):
    """Stops the run once `total` records are in the store; times from the first batch's start."""

    def __init__(self, total: int, stop: threading.Event) -> None:
        self.total, self.stop, self.read = total, stop, 0
        self.started: float | None = None

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        self.started = self.started or time.perf_counter() - batch_seconds
        self.read += records
        if self.read >= self.total:
            self.stop.set()


def peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM, which starts afresh at exec. (ru_maxrss does not: Linux
    carries the pre-exec high-water mark over, so a child forked from the benchmark, which holds every
    generated event, would report the parent's size.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(total: int) -> None:
    settings = Settings()
    _, store = open_store(settings)
    stop = threading.Event()
    observer = UntilAllRead(total, stop)
    materializer = build_materializer(settings, store, observer=observer)
    materializer.run(stop)
    seconds = time.perf_counter() - (observer.started or time.perf_counter())
    materializer.source.close()
    materializer.dead_letter_sink.close()
    peak_mb = peak_rss_mb()
    sys.stdout.write(
        json.dumps({"records": observer.read, "seconds": seconds, "peak_rss_mb": peak_mb}) + "\n"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
