"""A rebuild's replay in several processes, each over its own share of the log's partitions.

Why processes: the replay is CPU-bound in CPython (decode, validation, fold), as the live materializer is
(services/member_processes.py says why threads would not help). Why it is safe: each process is the live
materializer over a disjoint set of partitions, exactly what the members of `casehub consume --processes N`
are after a rebalance: folds commute, cases and subjects touched by several processes are merged under the
store's advisory locks, and each partition's offsets are saved by the one process that read it. Every
process replays up to the same snapshot of end offsets, taken once by the parent.

A process that fails stops the others and the rebuild with its one-line reason; whatever it wrote stays
marked unfinished (services/store/bulk_load.py) when the store is PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from consumers.materializer import MaterializerStats
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent
from schemas.errors import CasehubError
from services.member_processes import exit_reason
from services.settings import Settings

Snapshot = Mapping[tuple[str, int], tuple[int, int]]
"""(topic, partition) → (first offset, end offset) of the log as the rebuild started."""
Progress = Callable[[int, int], None]
_WAIT_S = 0.25


class RebuildFailed(CasehubError):
    """A replay process failed or died: the rebuild stopped."""


def split_partitions(snapshot: Snapshot, processes: int) -> list[dict[tuple[str, int], tuple[int, int]]]:
    """Partitions dealt to `processes` shares of about equal records (largest first to the lightest
    share); partitions with nothing to replay go nowhere, and no share is empty."""
    open_ones = sorted(
        ((key, span) for key, span in snapshot.items() if span[1] > span[0]),
        key=lambda item: (item[0][0], item[0][1]),
    )
    open_ones.sort(key=lambda item: item[1][1] - item[1][0], reverse=True)  # stable: ties in key order
    shares: list[dict[tuple[str, int], tuple[int, int]]] = [{} for _ in range(max(1, processes))]
    loads = [0] * len(shares)
    for key, span in open_ones:
        lightest = loads.index(min(loads))
        shares[lightest][key] = span
        loads[lightest] += span[1] - span[0]
    return [share for share in shares if share]


@dataclass(frozen=True)
class MemberJob:
    """What one replay process needs (pickled to a spawned interpreter)."""

    index: int
    settings: Settings
    target_url: str
    registry_url: str | None
    snapshot: dict[tuple[str, int], tuple[int, int]]


def replay_in_members(jobs: Sequence[MemberJob], total: int, progress: Progress) -> MaterializerStats:
    """Run the jobs as processes; their records are summed into `progress`; their stats summed back."""
    context = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited sockets or locks
    messages: Any = context.Queue()
    processes = [
        context.Process(target=run_member, args=(job, messages), name=f"rebuild-{job.index}") for job in jobs
    ]
    done: dict[int, int] = {}
    finished: dict[int, MaterializerStats] = {}
    try:
        for process in processes:
            process.start()
        while len(finished) < len(jobs):
            try:
                kind, index, *values = messages.get(timeout=_WAIT_S)
            except queue.Empty:
                _check_alive(processes, finished)
                continue
            if kind == "failed":
                raise RebuildFailed(f"replay process {index + 1} of {len(jobs)} failed: {values[0]}")
            if kind == "progress":
                done[index] = values[0]
                progress(sum(done.values()), total)
            elif kind == "done":
                finished[index] = values[0]
    finally:
        _stop(processes)
    stats = MaterializerStats()
    for member in finished.values():
        stats.batches += member.batches
        stats.records += member.records
        stats.events += member.events
        stats.dead_letters += member.dead_letters
    return stats


def _check_alive(processes: Sequence[BaseProcess], finished: Mapping[int, MaterializerStats]) -> None:
    """A process that ended without saying it finished (killed, out of memory) fails the rebuild."""
    for index, process in enumerate(processes):
        if index not in finished and process.exitcode is not None:
            reason = exit_reason(process.exitcode)
            raise RebuildFailed(f"replay process {index + 1} of {len(processes)} {reason} before finishing")


def _stop(processes: Sequence[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()


class _Reporter(BatchObserver):
    def __init__(self, index: int, messages: Any) -> None:
        self.index, self.messages, self.records = index, messages, 0

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        self.records += records
        self.messages.put(("progress", self.index, self.records))


def run_member(job: MemberJob, messages: Any) -> None:
    """A replay process's body: the materializer over the job's partitions, its outcome sent back."""
    from consumers.heap import settle_for_batches
    from services.bootstrap import build_replay  # in the child: the parent need not import it twice
    from services.rebuild import rebuild_engine
    from services.store.engine import make_engine

    engine = rebuild_engine(job.target_url)
    registry = make_engine(job.registry_url) if job.registry_url else None
    try:
        materializer = build_replay(
            job.settings, engine, registry, lambda _source: _Reporter(job.index, messages), job.snapshot
        )
        settle_for_batches()  # a process that only runs this loop (consumers/heap.py)
        try:
            stats = materializer.run(threading.Event(), idle_exit_s=0)
        finally:
            materializer.source.close()
        messages.put(("done", job.index, stats))
    except BaseException as exc:  # every failure, ^C included, is said to the parent in one line
        messages.put(
            ("failed", job.index, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        )
        raise SystemExit(1) from None
    finally:
        engine.dispose()
        if registry is not None:
            registry.dispose()
