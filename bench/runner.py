"""One benchmark run: every figure of issue 8 side by side, on one data set, with progress."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bench.environment import BenchEnvironment
from bench.figures import BenchReport
from bench.large_store import clone_to
from bench.latency import steady_latency
from bench.peer_race import race_peer
from bench.pipeline import copy_limit, materialize, naive, produce, rebuild
from bench.queries import time_queries
from producers.simulator.simulation import simulate_events
from schemas.events import CaseEvent
from services.settings import Settings
from services.store.engine import make_engine

Say = Callable[[str], None]


@dataclass(frozen=True)
class BenchPlan:
    """Sizes at scale 1 are the issue's: 200,000 events, 60 s at 1,000 events/s, 1,000,000 cases."""

    scale: float = 1.0
    seed: int = 389

    @property
    def events(self) -> int:
        return max(500, int(200_000 * self.scale))

    @property
    def latency_seconds(self) -> float:
        return max(3.0, 60 * self.scale)

    @property
    def cases(self) -> int:
        return max(2_000, int(1_000_000 * self.scale))

    @property
    def naive_limit(self) -> int:
        return max(200, min(self.events, 5_000))

    @property
    def peer_rounds(self) -> int:
        """Rounds of ours-then-peer (order alternating); two at full scale, one for a smoke run."""
        return 2 if self.scale >= 0.5 else 1

    @property
    def query_runs(self) -> int:
        return 40 if self.scale >= 0.5 else 10


def run_bench(env: BenchEnvironment, plan: BenchPlan, say: Say) -> BenchReport:
    report = BenchReport({"scale": plan.scale, "seed": plan.seed, "events": plan.events, "cases": plan.cases})
    settings = _isolated(env)
    say(f"generating {plan.events:,} simulated events (seed {plan.seed})...")
    events: list[CaseEvent] = list(simulate_events(plan.events, seed=plan.seed))

    say("1/8 produce: publisher (validate + encode + send, confirmed)...")
    produced = produce(settings, events)
    report.add("produce", "publisher", produced.per_second, "events/s", "≥ 30,000", events=produced.count)

    say("2/8 materialize into PostgreSQL (catch-up)...")
    pg_url = env.new_postgres_database()
    pg = materialize(settings, pg_url, produced.count)
    report.add("materialize", "PostgreSQL", pg.rate.per_second, "events/s", "≥ 20,000", events=pg.rate.count)
    report.add("materialize", "peak RSS (PostgreSQL run)", pg.peak_rss_mb, "MB", "≤ 300")
    say("   ... with two materializer processes in the group (PostgreSQL)")
    pair = materialize(
        settings.model_copy(update={"consumer_group": f"{settings.consumer_group}-pair"}),
        env.new_postgres_database(),
        produced.count,
        workers=2,
    )
    report.add(
        "materialize", "PostgreSQL, 2 processes", pair.rate.per_second, "events/s", events=pair.rate.count
    )
    say("   ... and into SQLite")
    sqlite = materialize(
        settings.model_copy(update={"consumer_group": f"{settings.consumer_group}-sqlite"}),
        env.new_sqlite_database(),
        produced.count,
    )
    report.add("materialize", "SQLite", sqlite.rate.per_second, "events/s", events=sqlite.rate.count)
    report.add("materialize", "peak RSS (SQLite run)", sqlite.peak_rss_mb, "MB", "≤ 300")

    say(f"3/8 peer: Connect + Debezium JDBC sink beside our materializer ({plan.peer_rounds} round(s))...")
    race_peer(env, settings, events, produced.count, plan.peer_rounds, report, say)

    say(f"4/8 naive baseline (one decode, ORM insert and commit per event; up to {plan.naive_limit:,})...")
    slow = naive(settings, env.new_postgres_database(), plan.naive_limit, max_seconds=120)
    report.add("baseline", "naive consumer (PostgreSQL)", slow.per_second, "events/s", events=slow.count)
    report.add("baseline", "materialize ÷ naive", pg.rate.per_second / slow.per_second, "×", "≥ 20")

    say("5/8 physical limit: the same log rows with COPY into PostgreSQL...")
    copied = copy_limit(events, env.new_postgres_database())
    report.add("limit", "COPY case_events (PostgreSQL)", copied.per_second, "rows/s", rows=copied.count)
    report.add("limit", "materialize ÷ COPY", pg.rate.per_second / copied.per_second, "×")

    say(f"6/8 end-to-end latency at 1,000 events/s for {plan.latency_seconds:.0f} s...")
    latency = steady_latency(
        _isolated(env),
        env.new_postgres_database(),
        itertools.cycle(events),
        rate=1000,
        seconds=plan.latency_seconds,
    )
    report.add("latency", "end-to-end p50", latency.p50_ms, "ms", events=latency.events)
    report.add(
        "latency", "end-to-end p99", latency.p99_ms, "ms", "≤ 500", achieved_rate=round(latency.achieved_rate)
    )

    say("7/8 rebuild from the log into a fresh PostgreSQL store...")
    rebuilt = rebuild(settings, env.new_postgres_database())
    report.add(
        "rebuild", "rebuild from the log (PostgreSQL)", rebuilt.per_second, "events/s", records=rebuilt.count
    )

    say(f"8/8 analyst queries on ≥ {plan.cases:,} cases (cloning the materialized store)...")
    engine = make_engine(pg_url)
    copies = clone_to(engine, plan.cases)
    for timing in time_queries(engine, plan.query_runs):
        targets = {"seller dossier": "≤ 50 (p95)", "stats month × province": "≤ 300 (p95)"}
        report.add("queries", f"{timing.name} p50", timing.p50_ms, "ms", runs=timing.runs, rows=timing.rows)
        report.add(
            "queries", f"{timing.name} p95", timing.p95_ms, "ms", targets.get(timing.name, ""), copies=copies
        )
    engine.dispose()
    return report


def _isolated(env: BenchEnvironment) -> Settings:
    """The bench's own broker is PLAINTEXT, asked for explicitly (figures comparable with earlier runs);
    on a given secured broker every bench client logs in as the admin (same TLS and SCRAM costs)."""
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka_bootstrap=env.bootstrap,
        topic_prefix=f"bench{tag}.cases.",
        dead_letter_topic=f"bench{tag}.deadletters",
        consumer_group=f"bench{tag}",
        topic_partitions=6,
    )
    if env.own_broker:
        return settings.model_copy(update={"kafka_security": "plaintext"})
    # A secured broker: the bench's processes (groups per variant) log in as the hub admin.
    return settings.model_copy(update={"kafka_username": settings.kafka_admin_user})
