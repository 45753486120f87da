"""Rebuild every projection from the Kafka log into a fresh store, and compare it with the live one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from consumers.materializer import MaterializerStats
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent
from schemas.errors import CasehubError
from services.bootstrap import build_replay, replay_source, store_unavailable
from services.cpu_cores import cores_given
from services.rebuild_members import MemberJob, ReplayProcesses, split_partitions
from services.settings import Settings
from services.store.bulk_load import (
    begin_bulk_load,
    finish_bulk_load,
    refuse_unfinished_rebuild,
    uses_bulk_load,
)
from services.store.comparison import TableDigest, table_digests
from services.store.engine import make_engine, migrate
from services.store.sql_store import EVENTS

Progress = Callable[[int, int], None]


class StoreNotEmpty(CasehubError):
    """A rebuild writes into an empty store only."""


@dataclass(frozen=True)
class RebuildReport:
    records: int
    events: int
    dead_letters: int
    seconds: float
    end_offsets: dict[tuple[str, int], int]
    processes: int = 1

    @property
    def events_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class TableComparison:
    table: str
    live: TableDigest
    rebuilt: TableDigest

    @property
    def equal(self) -> bool:
        return self.live == self.rebuilt


class _ProgressObserver(BatchObserver):
    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def batch_materialized(
        self,
        *,
        records: int,
        events: Sequence[StoredEvent],
        dead_letters: Sequence[DeadLetter],
        batch_seconds: float,
        store_seconds: float,
    ) -> None:
        self.done += records
        self.progress(self.done, self.total)


def rebuild_store(
    settings: Settings,
    target_url: str,
    progress: Progress = lambda done, total: None,
    registry: Engine | None = None,
    processes: int | None = None,
) -> RebuildReport:
    """Replay the agency topics from the beginning up to their current end into `target_url`.

    The new store records the live group's offsets, so a materializer pointed at it carries on from there.
    Schema ids the bundle does not know are read from `registry` (the live store's registry tables).

    On PostgreSQL the replay runs in `processes` processes over disjoint partitions (default: one per
    core, at most one per partition with records) as a bulk load (services/store/bulk_load.py: indexes
    and tallies built once at the end, commits not waited for until the last, which is durable); SQLite
    keeps one process and the live path. A rebuild that fails or is interrupted leaves the PostgreSQL store
    marked unfinished, and every process refuses to open it. The replay processes start first: they
    import the materializer while this process migrates the store and takes the log's snapshot.
    """
    started = time.perf_counter()  # the whole rebuild: the store's migration and the processes' start count
    engine = rebuild_engine(target_url)
    bulk = uses_bulk_load(engine)
    count = _processes(processes) if bulk else 1
    try:
        with ReplayProcesses(count if count > 1 else 0) as members:
            try:
                migrate(engine)  # the replay processes import the materializer meanwhile
            except SQLAlchemyError as exc:  # not there, refused the login, ...: one line, not a traceback
                raise store_unavailable(engine, exc) from None
            with engine.connect() as connection:
                refuse_unfinished_rebuild(connection, engine.url.render_as_string())
                existing = connection.execute(select(func.count()).select_from(EVENTS)).scalar_one()
            if existing:
                shown = engine.url.render_as_string()  # password hidden
                raise StoreNotEmpty(f"{shown} already holds {existing} events; rebuild into an empty store")
            snapshot = _log_snapshot(settings)
            total = sum(end - start for start, end in snapshot.values())
            shares = split_partitions(snapshot, count)
            deferred = begin_bulk_load(engine) if bulk else []
            if len(shares) > 1:
                registry_url = registry.url.render_as_string(hide_password=False) if registry else None
                level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
                jobs = [
                    MemberJob(i, settings, target_url, registry_url, share, level)
                    for i, share in enumerate(shares)
                ]
                stats = members.replay(jobs, total, progress)
            else:
                members.close()  # not needed: at most one partition holds records
                stats = _replay_here(settings, engine, registry, snapshot, total, progress)
        if bulk:
            finish_bulk_load(engine, deferred)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    ends = {key: end for key, (_, end) in snapshot.items()}
    return RebuildReport(stats.records, stats.events, stats.dead_letters, seconds, ends, max(1, len(shares)))


def rebuild_engine(target_url: str) -> Engine:
    """The target store's engine; on PostgreSQL its sessions do not wait for their commits to be flushed
    (a crash loses at most the last batches, and the store is still marked unfinished then: the final
    transaction, which removes the mark, sets synchronous_commit back on)."""
    if make_url(target_url).get_backend_name() == "postgresql":
        return make_engine(target_url, connect_args={"options": "-c synchronous_commit=off"})
    return make_engine(target_url)


def _processes(asked: int | None) -> int:
    return asked if asked is not None else cores_given()


def _log_snapshot(settings: Settings) -> dict[tuple[str, int], tuple[int, int]]:
    """(topic, partition) → (first, end offset) of every agency partition as the rebuild starts."""
    source = replay_source(settings)
    try:
        source.start()
        return {
            (tp.topic, tp.partition): (source.start_offsets[tp], end)
            for tp, end in source.end_offsets.items()
        }
    finally:
        source.close()


def _replay_here(
    settings: Settings,
    engine: Engine,
    registry: Engine | None,
    snapshot: dict[tuple[str, int], tuple[int, int]],
    total: int,
    progress: Progress,
) -> MaterializerStats:
    materializer = build_replay(
        settings, engine, registry, lambda _source: _ProgressObserver(progress, total), snapshot
    )
    try:
        return materializer.run(threading.Event(), idle_exit_s=0)
    finally:
        materializer.source.close()


def compare_stores(live: Engine, rebuilt: Engine) -> list[TableComparison]:
    live_digests, rebuilt_digests = table_digests(live), table_digests(rebuilt)
    return [TableComparison(name, live_digests[name], rebuilt_digests[name]) for name in live_digests]
