"""End-to-end latency at a steady rate: recorded_at (stamped at send) → committed in the store.

The materializer runs in its own process, as it does in a deployment: sharing the publisher's process
would make the two take turns on one interpreter lock and time that instead.
"""

from __future__ import annotations

import contextlib
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.pipeline import worker_env
from producers.publisher import Publisher
from schemas.events import CaseEvent
from services.bootstrap import cluster_offsets, create_topics
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import Settings
from services.store.engine import make_engine, migrate

_SETTLE_S = 1.0
"""Pause after the materializer holds its partitions (it seeks to the stored offsets) before sending."""
_JOIN_TIMEOUT_S = 60.0
_DRAIN_S = 30.0
_DRAIN_FLOOR_RATE = 500.0
"""The members get 30 s plus the time to drain everything sent at this (slow) rate: a loaded machine
behind the sender must yield a large p99, not a timeout."""


@dataclass(frozen=True)
class Latency:
    events: int
    p50_ms: float
    p99_ms: float
    achieved_rate: float


def steady_latency(
    settings: Settings,
    database_url: str,
    source: Iterator[CaseEvent],
    rate: int,
    seconds: float,
    members: int = 1,
) -> Latency:
    """Send `rate` events/s for `seconds` while `members` materializer processes (one group) run;
    percentiles of commit latency over every member's events."""
    create_topics(settings)
    engine = make_engine(database_url)
    migrate(engine)
    engine.dispose()
    env = worker_env(settings, database_url)
    with contextlib.ExitStack() as stack:
        errors = [stack.enter_context(tempfile.TemporaryFile("w+")) for _ in range(members)]
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.materialize_worker", "--latencies"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=error,
                text=True,
            )
            for error in errors
        ]
        outputs = [_WorkerOutput(worker) for worker in workers]
        try:
            _wait_group_stable(settings, outputs)
            time.sleep(_SETTLE_S)
            sent, achieved = _send_steadily(settings, source, rate, seconds)
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write(f"{sent}\n")
                worker.stdin.close()
            for worker, output in zip(workers, outputs, strict=True):
                worker.wait(timeout=_DRAIN_S + sent / _DRAIN_FLOOR_RATE)
                output.done.wait(timeout=5)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
        for worker, output, error in zip(workers, outputs, errors, strict=True):
            if worker.returncode != 0 or not output.lines:
                error.seek(0)
                raise RuntimeError(f"materializer worker failed: {error.read().strip().splitlines()[-1:]}")
    ordered = sorted(ms for output in outputs for ms in json.loads(output.lines[-1])["latencies_ms"])
    return Latency(
        len(ordered), statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))], achieved
    )


def _wait_group_stable(settings: Settings, outputs: list[_WorkerOutput]) -> None:
    """Until the coordinator says the group is Stable with every member owning partitions and every
    agency partition owned: a member's own "assigned" line comes before the rebalance the next member's
    join starts, so it cannot tell that the group settled (the sender must not start mid-rebalance)."""
    deadline = time.monotonic() + _JOIN_TIMEOUT_S
    cluster = cluster_offsets(settings)
    seen = "nothing"
    try:
        while time.monotonic() < deadline:
            if any(output.done.is_set() for output in outputs):
                raise RuntimeError("a materializer process exited before the group settled")
            view = cluster.members([settings.consumer_group]).get(settings.consumer_group)
            topics = cluster.topic_partitions()
            agency = {t: n for t, n in topics.items() if t.startswith(settings.topic_prefix)}
            seen = (
                f"group {view.state if view else 'unknown'}, {len(view.owners) if view else 0} of "
                f"{sum(agency.values())} partitions owned by "
                f"{len({o.member_id for o in view.owners.values()}) if view else 0} members"
            )
            if (
                view is not None
                and view.state == "Stable"
                and len({owner.member_id for owner in view.owners.values()}) == len(outputs)
                and len(view.owners) == sum(agency.values())
            ):
                return
            time.sleep(0.2)
    finally:
        cluster.close()
    raise RuntimeError(f"the {len(outputs)} materializer processes did not settle in their group: {seen}")


class _WorkerOutput:
    """Reads the worker's stdout as it comes (its log lines go there too, and a full pipe would stall
    it): notes when it holds its partitions, keeps the lines."""

    def __init__(self, worker: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.assigned, self.done = threading.Event(), threading.Event()
        threading.Thread(target=self._read, args=(worker,), daemon=True).start()

    def _read(self, worker: subprocess.Popen[str]) -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            if line.strip() == "assigned":
                self.assigned.set()
            else:
                self.lines.append(line)
        self.done.set()
        self.assigned.set()  # an early exit wakes the waiter too; the exit code tells what happened


def _send_steadily(
    settings: Settings, source: Iterator[CaseEvent], rate: int, seconds: float
) -> tuple[int, float]:
    """Publish what is due every tick, each event stamped recorded_at = now; returns (sent, rate).

    The sending process holds the bench's generated events (200,000 pydantic models at scale 1): a full
    collection of the cyclic GC walks all of them (~0.8 s idle, seconds on a loaded machine), and one
    is due every ~20 s of sending. It would fire between an event's stamp and its send, and every
    event stamped before it would carry the sender's pause as "end-to-end latency" (measured: 3 such
    pauses in 60 s, 15.8 s in all at load 10). An agency's publisher holds no such heap, so what is
    alive when the sending starts is frozen out of the collector's walks (young garbage is still
    collected) and handed back afterwards."""
    gc.collect()
    gc.freeze()
    try:
        return _send_frozen(settings, source, rate, seconds)
    finally:
        gc.unfreeze()


def _send_frozen(
    settings: Settings, source: Iterator[CaseEvent], rate: int, seconds: float
) -> tuple[int, float]:
    publisher = Publisher(
        bootstrap=settings.kafka_bootstrap,
        topic_of=settings.agency_topic,
        linger_ms=1,
        security=client_options(settings, Role.ADMIN),
    )
    publisher.start()
    sent, started = 0, time.perf_counter()
    tick = 0.05
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate) - sent
        if due > 0:
            now = datetime.now(UTC)
            batch = [
                e.model_copy(update={"event_id": uuid.uuid4(), "recorded_at": now})
                for e in _take(source, due)
            ]
            publisher.publish(batch)
            sent += len(batch)
        time.sleep(tick)
    achieved = sent / (time.perf_counter() - started)
    publisher.close()
    return sent, achieved


def _take(source: Iterator[CaseEvent], count: int) -> list[CaseEvent]:
    return [next(source) for _ in range(count)]
