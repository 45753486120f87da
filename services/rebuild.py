"""Rebuild every projection from the Kafka log into a fresh store, and compare it with the live one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from consumers.log_replay import LogReplaySource
from consumers.observer import BatchObserver
from consumers.records import DeadLetter, StoredEvent
from schemas.errors import CasehubError
from services.bootstrap import build_replay
from services.settings import Settings
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
) -> RebuildReport:
    """Replay the agency topics from the beginning up to their current end into `target_url`.

    The new store records the live group's offsets, so a materializer pointed at it carries on from there.
    Schema ids the bundle does not know are read from `registry` (the live store's registry tables).
    """
    engine = make_engine(target_url)
    migrate(engine)
    with engine.connect() as connection:
        existing = connection.execute(select(func.count()).select_from(EVENTS)).scalar_one()
    if existing:
        raise StoreNotEmpty(f"{target_url} already holds {existing} events; rebuild into an empty store")
    materializer = build_replay(
        settings, engine, registry, lambda source: _ProgressObserver(progress, source.total_records)
    )
    source = materializer.source
    assert isinstance(source, LogReplaySource)
    started = time.perf_counter()
    try:
        stats = materializer.run(threading.Event(), idle_exit_s=0)
    finally:
        source.close()
        engine.dispose()
    ends = {(tp.topic, tp.partition): offset for tp, offset in source.end_offsets.items()}
    return RebuildReport(stats.records, stats.events, stats.dead_letters, time.perf_counter() - started, ends)


def compare_stores(live: Engine, rebuilt: Engine) -> list[TableComparison]:
    live_digests, rebuilt_digests = table_digests(live), table_digests(rebuilt)
    return [TableComparison(name, live_digests[name], rebuilt_digests[name]) for name in live_digests]
