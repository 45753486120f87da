"""Child process of the benchmark: one member of the materializer group catching up on preloaded records.

It runs until the group has read `total` records between its members (their counts are in the store's
offsets, so no member needs to know the others) and prints what it read, when, and its peak RSS as JSON.
It runs what a `casehub consume` member runs beside its loop, so that its CPU is counted too: the metrics
(every batch's counters and histograms, each event's end-to-end latency), the lag sampler and the
/metrics and /readyz server (on a free port).
With `--latencies` the total arrives later, as a line on stdin (the latency benchmark learns it only
once it has sent everything), and the output adds each event's recorded_at → committed time in ms.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.cpu import process_cpu_seconds
from consumers.heap import settle_for_batches
from consumers.observer import BatchObserver
from consumers.ports.case_store import CaseStore
from consumers.records import DeadLetter, StoredEvent
from consumers.source import RecordSource
from services.bootstrap import build_materializer, consumer_store, open_store
from services.ops.consumer_monitor import ConsumerMonitor
from services.settings import Settings


class UntilGroupDone(BatchObserver):
    """Counts this member's records; stops once the offsets the group stored cover `total` records.
    Each batch is told to `production` (the metrics `casehub consume` keeps) first."""

    def __init__(
        self, store: CaseStore, group: str, total: int, stop: threading.Event, production: BatchObserver
    ) -> None:
        self.store, self.group, self.total, self.stop = store, group, total, stop
        self.production = production
        self.read = 0
        self.latencies_ms: list[float] | None = None
        self.first_started: float | None = None
        self.last_ended: float | None = None

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        self.production.batch_materialized(
            records=records,
            events=events,
            dead_letters=dead_letters,
            batch_seconds=batch_seconds,
            store_seconds=store_seconds,
        )
        now = time.time()
        if self.latencies_ms is not None:
            committed = datetime.now(UTC)
            self.latencies_ms.extend((committed - e.recorded_at).total_seconds() * 1000 for e in events)
        self.first_started = self.first_started or now - batch_seconds
        self.last_ended = now
        self.read += records
        if self.group_read() >= self.total:
            self.stop.set()

    def store_unavailable(self, error: Exception) -> None:
        self.production.store_unavailable(error)

    def group_read(self) -> int:
        return sum(self.store.stored_offsets(self.group).values())


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


def main(total: int, latencies: bool) -> None:
    settings = Settings()
    engine, _ = open_store(settings)  # checks the schema, as `casehub consume` does
    store = consumer_store(settings)  # the consumer's own engine, no ping per batch
    stop = threading.Event()
    monitor = ConsumerMonitor(settings, engine)
    observer = UntilGroupDone(store, settings.consumer_group, total, stop, monitor.observer)
    materializer = build_materializer(settings, store, observer=observer)
    monitor.start(materializer.source, materializer.liveness)
    if latencies:
        observer.latencies_ms = []
        threading.Thread(target=_total_from_stdin, args=(observer,), daemon=True).start()
        threading.Thread(target=_say_when_assigned, args=(materializer.source, stop), daemon=True).start()
    watcher = threading.Thread(target=_watch_group, args=(observer, stop), daemon=True)
    watcher.start()
    settle_for_batches()  # as `casehub consume` does before its loop
    cpu_before = process_cpu_seconds(os.getpid())  # interpreter start and imports are not the run's
    materializer.run(stop)
    cpu_seconds = process_cpu_seconds(os.getpid()) - cpu_before
    monitor.stop()
    materializer.source.close()
    materializer.dead_letter_sink.close()
    result = {
        "records": observer.read,
        "first_started": observer.first_started,
        "last_ended": observer.last_ended,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds,
        "latencies_ms": observer.latencies_ms,
    }
    sys.stdout.write(json.dumps(result) + "\n")


def _watch_group(observer: UntilGroupDone, stop: threading.Event) -> None:
    """A member left without partitions (or with an empty share) learns here that the others finished."""
    while not stop.wait(0.5):
        if observer.group_read() >= observer.total:
            stop.set()


def _say_when_assigned(source: RecordSource, stop: threading.Event) -> None:
    """One line on stdout once the group gave this member its partitions: the sender may start."""
    while not source.is_assigned() and not stop.wait(0.05):
        pass
    sys.stdout.write("assigned\n")
    sys.stdout.flush()


def _total_from_stdin(observer: UntilGroupDone) -> None:
    line = sys.stdin.readline()
    observer.total = int(line) if line.strip() else observer.group_read()


if __name__ == "__main__":
    main(int(sys.argv[1]) if sys.argv[1:2] != ["--latencies"] else sys.maxsize, "--latencies" in sys.argv)
