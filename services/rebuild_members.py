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

import contextlib
import gc
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

from consumers.materializer import MaterializerStats
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent
from schemas.errors import CasehubError
from services.member_processes import STOP_GRACE_S, exit_reason
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
    """What one replay process needs (pickled to it on its stdin: it holds the store's password)."""

    index: int
    settings: Settings
    target_url: str
    registry_url: str | None
    snapshot: dict[tuple[str, int], tuple[int, int]]
    log_level: str = "WARNING"


class ReplayProcesses:
    """Replay processes started ahead of their jobs, each waiting for its job on a pipe of its own while
    the parent migrates the store and takes the log's snapshot.

    Each is forked from this process (`ForkedReplay`), which has imported the materializer already (the
    rebuild lives in it): a fresh `python -m services.rebuild_members` spent ~0.9 s of CPU importing it,
    two of them beside the migration on a 2-core machine made the first second of a rebuild CPU-bound
    (migration 0.4 s alone, ~1.0 s beside them). A process says what it did as JSON lines on a pipe of its
    own. A process given no job (fewer shares than processes, or a rebuild that stopped before its replay)
    reads an empty pipe and exits 0."""

    def __init__(self, count: int) -> None:
        self.messages: queue.Queue[list[Any]] = queue.Queue()
        self.members: list[tuple[ForkedReplay, threading.Thread]] = []
        try:
            for _ in range(count):  # a child keeps none of the parent's ends of the others' pipes
                held = [fd for process, _ in self.members if (fd := _job_fd(process)) is not None]
                self.members.append(_start(self.messages, held))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ReplayProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replay(self, jobs: Sequence[MemberJob], total: int, progress: Progress) -> MaterializerStats:
        """Run the jobs, one per process (as many processes as jobs at most); their records are summed
        into `progress`, their stats summed back."""
        if len(jobs) > len(self.members):
            raise ValueError(f"{len(jobs)} jobs for {len(self.members)} replay processes")
        busy = self.members[: len(jobs)]
        for (process, _), job in zip(busy, jobs, strict=True):
            _send(process, job)
        for process, _ in self.members[len(jobs) :]:
            _send(process, None)
        done: dict[int, int] = {}
        finished: dict[int, MaterializerStats] = {}
        while len(finished) < len(jobs):
            try:
                kind, index, value = self.messages.get(timeout=_WAIT_S)
            except queue.Empty:
                _check_alive(busy, finished, self.messages)
                continue
            if kind == "failed":
                raise RebuildFailed(f"replay process {index + 1} of {len(jobs)} failed: {value}")
            if kind == "progress":
                done[index] = value
                progress(sum(done.values()), total)
            elif kind == "done":
                finished[index] = MaterializerStats(**value)
        return sum(finished.values(), MaterializerStats())

    def close(self) -> None:
        """Stop them: a process still waiting for its job is told there is none first."""
        for process, _ in self.members:
            _send(process, None)
        _stop([process for process, _ in self.members])


class ForkedReplay:
    """A replay process forked from this one, with what the rebuild needs of `subprocess.Popen`: `stdin`
    (its job, pickled: it holds the store's password, so it never goes through argv or the environment),
    `poll`, `wait`, `terminate`, `kill`, `returncode` (negative: the signal that ended it).

    The parent's objects are frozen for the fork (`gc.freeze`, the standard library's advice for a fork
    without exec): the child's collections skip them, so its pages stay shared rather than copied when
    its collector would touch every object (the bench's process holds its 200,000 generated events).
    In the child, only the forking thread exists: locks other threads of the parent held at the fork
    (a progress bar writing to the terminal) stay held, so the child takes fresh standard streams over
    duplicated descriptors before anything writes, leaves the parent's signal handlers (SIGINT raises
    KeyboardInterrupt, SIGTERM ends it), and ends with `os._exit` — never the parent's atexit handlers,
    buffers or finalizers (a pytest run's, a CLI's temporary files)."""

    def __init__(self, say_fd: int, close_in_child: Sequence[int]) -> None:
        job_read, job_write = os.pipe()
        settled = gc.get_freeze_count() > 0  # a process that froze its heap for good (consumers/heap.py)
        gc.freeze()  # the child's collections never walk (and so never copy) the parent's objects
        pid = os.fork()
        if pid != 0 and not settled:
            gc.unfreeze()  # the parent collects as before
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(job_write)
                for fd in close_in_child:
                    os.close(fd)
                _fresh_process_state()
                code = _child(job_read, say_fd)
            except BaseException:  # said to the parent already when it could be; nothing else to do
                code = 1
            finally:
                os._exit(code)
        os.close(job_read)
        self.pid = pid
        self.stdin: BinaryIO | None = os.fdopen(job_write, "wb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"replay process {self.pid}", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


def _fresh_process_state() -> None:
    """The forked child's own standard streams and default SIGTERM/SIGINT behaviour (see ForkedReplay)."""
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        try:
            stream = os.fdopen(os.dup(fd), mode, encoding="utf-8", errors="backslashreplace", buffering=1)
        except OSError:  # a closed descriptor: leave it
            continue
        setattr(sys, name, stream)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start(
    messages: queue.Queue[list[Any]], parent_ends: Sequence[int]
) -> tuple[ForkedReplay, threading.Thread]:
    read_end, write_end = os.pipe()
    try:
        process = ForkedReplay(write_end, [read_end, *parent_ends])
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    relay = threading.Thread(target=_relay, args=(read_end, messages), daemon=True)
    relay.start()
    return process, relay


def _send(process: ForkedReplay, job: MemberJob | None) -> None:
    """The job on the process's pipe (closed empty: no job). A process that died meanwhile is left to
    `_check_alive`, which reports it."""
    if process.stdin is None:
        return
    try:
        if job is not None:
            process.stdin.write(pickle.dumps(job))
        process.stdin.close()
    except BrokenPipeError:
        pass
    process.stdin = None


def _relay(fd: int, messages: queue.Queue[list[Any]]) -> None:
    with os.fdopen(fd, "rb") as lines:
        for line in lines:
            messages.put(json.loads(line))


def _job_fd(process: ForkedReplay) -> int | None:
    return process.stdin.fileno() if process.stdin is not None else None


def _check_alive(
    members: Sequence[tuple[ForkedReplay, threading.Thread]],
    finished: Mapping[int, MaterializerStats],
    messages: queue.Queue[list[Any]],
) -> None:
    """A process that ended without saying it finished (killed, out of memory) fails the rebuild; one
    that said why it failed is reported with its reason (its last message is read to the end first)."""
    for index, (member, relay) in enumerate(members):
        code = member.poll()
        if index in finished or code is None or code == 0:
            continue
        relay.join(timeout=5)  # the pipe's end: whatever it said is in `messages` now
        if messages.empty():
            reason = exit_reason(code)
            raise RebuildFailed(f"replay process {index + 1} of {len(members)} {reason} before finishing")


def _stop(members: Sequence[ForkedReplay]) -> None:
    for member in members:
        if member.poll() is None:
            member.terminate()
    for member in members:
        try:
            member.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            member.kill()
            member.wait()


class _Reporter(BatchObserver):
    def __init__(self, index: int, say: Callable[[list[Any]], None]) -> None:
        self.index, self.say, self.records = index, say, 0

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
        self.say(["progress", self.index, self.records])


def run_member(job: MemberJob, say: Callable[[list[Any]], None]) -> None:
    """A replay process's body: the materializer over the job's partitions, its outcome said back."""
    from consumers.heap import settle_for_batches
    from services.bootstrap import build_replay
    from services.logging import configure_logging
    from services.rebuild import rebuild_engine
    from services.store.engine import make_engine

    configure_logging(job.log_level)
    engine = rebuild_engine(job.target_url)
    registry = make_engine(job.registry_url) if job.registry_url else None
    try:
        materializer = build_replay(
            job.settings, engine, registry, lambda _source: _Reporter(job.index, say), job.snapshot
        )
        settle_for_batches()  # a process that only runs this loop (consumers/heap.py)
        try:
            stats = materializer.run(threading.Event(), idle_exit_s=0)
        finally:
            materializer.source.close()
        say(["done", job.index, asdict(stats)])
    except BaseException as exc:  # every failure, ^C included, is said to the parent in one line
        first = str(exc).splitlines()[0] if str(exc) else ""
        say(["failed", job.index, f"{type(exc).__name__}: {first}"])
        raise SystemExit(1) from None
    finally:
        engine.dispose()
        if registry is not None:
            registry.dispose()


def _child(job_fd: int, say_fd: int) -> int:
    """A forked replay process: wait for the job on `job_fd` (empty: none, exit 0), run it, say how it
    went on `say_fd`; the exit status."""
    try:
        with os.fdopen(job_fd, "rb") as job_pipe:
            sent = job_pipe.read()  # the job from the parent; empty: none for us
    except KeyboardInterrupt:  # ^C reaches the whole process group: the parent says it
        return 1
    if not sent:
        os.close(say_fd)
        return 0
    job: MemberJob = pickle.loads(sent)
    with os.fdopen(say_fd, "w", encoding="utf-8") as pipe:

        def say(message: list[Any]) -> None:
            pipe.write(json.dumps(message) + "\n")
            pipe.flush()

        try:
            run_member(job, say)
        except SystemExit as stopped:
            return stopped.code if isinstance(stopped.code, int) else 1
    return 0
