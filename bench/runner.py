"""One benchmark run: every figure of issues 8 and 17 side by side, on one data set, with progress."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bench.cpu import PostgresCpu
from bench.environment import BenchEnvironment
from bench.figures import BenchReport
from bench.large_store import clone_to
from bench.latency import steady_latency
from bench.peer_race import race_peer
from bench.pipeline import Materialized, copy_limit, materialize, naive, produce, rebuild
from bench.queries import time_queries
from producers.simulator.simulation import simulate_events
from schemas.events import CaseEvent
from services.settings import Settings
from services.store.engine import make_engine

Say = Callable[[str], None]


@dataclass(frozen=True)
class BenchPlan:
    """Sizes at scale 1 are the issue's: 200,000 events, 60 s at 5,000 events/s, 1,000,000 cases."""

    scale: float = 1.0
    seed: int = 389

    @property
    def events(self) -> int:
        return max(500, int(200_000 * self.scale))

    @property
    def latency_seconds(self) -> float:
        return max(1.0, 60 * self.scale)

    @property
    def latency_rate(self) -> int:
        """Events/s the latency sender keeps up (the issue's steady load)."""
        return 5_000

    @property
    def latency_members(self) -> int:
        """Member processes consuming during the latency run: one per core, as a deployment would run."""
        return max(1, min(4, os.cpu_count() or 1))

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
    say(f"   published {produced.count:,} events at {produced.per_second:,.0f} events/s")

    pg_url, pg, by_members = _materialize_members(env, settings, produced.count, report, say)
    say("   ... and into SQLite (1 member)")
    sqlite = materialize(
        settings.model_copy(update={"consumer_group": f"{settings.consumer_group}-sqlite"}),
        env.new_sqlite_database(),
        produced.count,
    )
    report.add("materialize", "SQLite", sqlite.rate.per_second, "events/s", events=sqlite.rate.count)
    report.add("materialize", "peak RSS (SQLite run)", sqlite.peak_rss_mb, "MB", "≤ 300")
    say(f"   SQLite: {sqlite.rate.per_second:,.0f} events/s")

    say(f"3/8 peer: Connect + Debezium JDBC sink beside our materializer ({plan.peer_rounds} round(s))...")
    race_peer(env, settings, events, produced.count, plan.peer_rounds, report, say)

    say(f"4/8 naive baseline (one decode, ORM insert and commit per event; up to {plan.naive_limit:,})...")
    naive_url = env.new_postgres_database()
    slow = naive(settings, naive_url, plan.naive_limit, max_seconds=120)
    env.retire_database(naive_url)
    report.add("baseline", "naive consumer (PostgreSQL)", slow.per_second, "events/s", events=slow.count)
    report.add("baseline", "materialize ÷ naive", pg.rate.per_second / slow.per_second, "×", "≥ 20")
    say(f"   naive: {slow.per_second:,.0f} events/s")

    say("5/8 physical limit: the same log rows with COPY into PostgreSQL...")
    copy_url = env.new_postgres_database()
    copied = copy_limit(events, copy_url)
    env.retire_database(copy_url)
    report.add("limit", "COPY case_events (PostgreSQL)", copied.per_second, "rows/s", rows=copied.count)
    report.add("limit", "materialize ÷ COPY", pg.rate.per_second / copied.per_second, "×", "≥ 0.25")
    default = settings.model_copy(update={"database_url": env.postgres_server_url}).consumer_members
    if default > 1 and default in by_members:  # what `casehub consume` runs here with no setting
        report.add(
            "limit",
            f"materialize, {default} members (the default here) ÷ COPY",
            by_members[default].rate.per_second / copied.per_second,
            "×",
            "≥ 0.25",
        )
    say(f"   COPY: {copied.per_second:,.0f} rows/s")

    say(f"6/8 end-to-end latency at {plan.latency_rate:,} events/s for {plan.latency_seconds:.0f} s...")
    latency_url = env.new_postgres_database()
    latency = steady_latency(
        _isolated(env),
        latency_url,
        itertools.cycle(events),
        rate=plan.latency_rate,
        seconds=plan.latency_seconds,
        members=plan.latency_members,
    )
    env.retire_database(latency_url)
    report.add(
        "latency",
        "sender's achieved rate",
        latency.achieved_rate,
        "events/s",
        f"{plan.latency_rate:,} asked",
        seconds=plan.latency_seconds,
    )
    report.add("latency", "end-to-end p50", latency.p50_ms, "ms", events=latency.events)
    report.add(
        "latency",
        "end-to-end p99",
        latency.p99_ms,
        "ms",
        "≤ 300",
        rate=plan.latency_rate,
        members=plan.latency_members,
    )
    say(
        f"   sent {latency.achieved_rate:,.0f} events/s; "
        f"p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms"
    )

    say("7/8 rebuild from the log into a fresh PostgreSQL store...")
    rebuild_url = env.new_postgres_database()
    rebuilt = rebuild(settings, rebuild_url, PostgresCpu(env.postgres_server_url))
    env.retire_database(rebuild_url)
    report.add(
        "rebuild",
        "rebuild from the log (PostgreSQL)",
        rebuilt.rate.per_second,
        "events/s",
        "≥ 20,000",
        records=rebuilt.rate.count,
        processes=rebuilt.processes,
    )
    records = max(1, rebuilt.rate.count)
    report.add("rebuild", "rebuild: CPU per event, our processes", 1e6 * rebuilt.cpu_s / records, "µs")
    if rebuilt.postgres_cpu_s is not None:
        report.add(
            "rebuild", "rebuild: CPU per event, PostgreSQL", 1e6 * rebuilt.postgres_cpu_s / records, "µs"
        )
    say(
        f"   rebuild: {rebuilt.rate.per_second:,.0f} events/s with {rebuilt.processes} process(es); "
        f"CPU per event {1e6 * rebuilt.cpu_s / records:.0f} µs ours"
        + (f" + {1e6 * rebuilt.postgres_cpu_s / records:.0f} µs PostgreSQL" if rebuilt.postgres_cpu_s else "")
    )

    say(f"8/8 analyst queries on ≥ {plan.cases:,} cases (cloning the materialized store)...")
    engine = make_engine(pg_url)
    copies = clone_to(engine, plan.cases)
    for timing in time_queries(engine, plan.query_runs):
        targets = {"seller dossier": "≤ 50", "case search": "≤ 200", "stats month × province": "≤ 200"}
        report.add("queries", f"{timing.name} p50", timing.p50_ms, "ms", runs=timing.runs, rows=timing.rows)
        report.add(
            "queries", f"{timing.name} p95", timing.p95_ms, "ms", targets.get(timing.name, ""), copies=copies
        )
        say(f"   {timing.name}: p50 {timing.p50_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms ({timing.runs} runs)")
    engine.dispose()
    return report


MEMBERS = (1, 2, 4)


def _materialize_members(
    env: BenchEnvironment, settings: Settings, total: int, report: BenchReport, say: Say
) -> tuple[str, Materialized, dict[int, Materialized]]:
    """Catch-up into PostgreSQL with 1, 2 and 4 member processes of one group (a fresh database and
    group each); the 1-member run also gives the CPU split per event (our process, the PostgreSQL
    server) and the peak RSS. Returns the 1-member run and its database (the queries clone it), and
    every run by its member count."""
    meter = PostgresCpu(env.postgres_server_url)
    runs: dict[int, Materialized] = {}
    urls: dict[int, str] = {}
    for members in MEMBERS:
        say(f"2/8 materialize into PostgreSQL (catch-up), {members} member process(es)...")
        urls[members] = env.new_postgres_database()
        runs[members] = run = materialize(
            settings.model_copy(update={"consumer_group": f"{settings.consumer_group}-m{members}"}),
            urls[members],
            total,
            workers=members,
            postgres_cpu=meter if members == 1 else None,
            broker_pid=env.broker_pid if members == 1 else None,
        )
        if members == 1:
            env.vacuum_database(urls[members])  # the queries step clones it (bench/environment.py)
        else:
            env.retire_database(urls[members])
        name = "PostgreSQL" if members == 1 else f"PostgreSQL, {members} members"
        report.add("materialize", name, run.rate.per_second, "events/s", "≥ 20,000", events=run.rate.count)
        whole = run.rate.count / run.whole_seconds if run.whole_seconds else 0.0
        report.add(
            "materialize",
            f"{name}: processes started → all stored",
            whole,
            "events/s",
            note="start, group join and first fetch included",
        )
        say(
            f"   {members} member(s): {run.rate.per_second:,.0f} events/s "
            f"({whole:,.0f} from the processes' start)"
        )
    one = runs[1]
    report.add("materialize", "peak RSS (PostgreSQL run)", one.peak_rss_mb, "MB", "≤ 300")
    report.add("materialize", "CPU per event, our process", one.cpu_s / one.rate.count * 1e6, "µs", "≤ 60")
    if one.postgres_cpu_s is not None:
        per_event = one.postgres_cpu_s / one.rate.count * 1e6
        report.add("materialize", "CPU per event, PostgreSQL", per_event, "µs", "≤ 30")
    else:
        report.parameters["postgres_cpu"] = "not measured: the PostgreSQL server is not on this machine"
    if one.broker_cpu_s is not None:
        per_event = one.broker_cpu_s / one.rate.count * 1e6
        report.add("materialize", "CPU per event, Kafka broker", per_event, "µs")
    else:
        report.parameters["broker_cpu"] = "not measured: the broker is not the bench's own"
    for members in MEMBERS[1:]:
        report.add(
            "materialize",
            f"{members} members ÷ 1 member",
            runs[members].rate.per_second / one.rate.per_second,
            "×",
            f"ideal {min(members, os.cpu_count() or 1)} ({os.cpu_count()} cores)",
        )
    return urls[1], one, runs


def _isolated(env: BenchEnvironment) -> Settings:
    """The bench's own broker is PLAINTEXT, asked for explicitly (figures comparable with earlier runs);
    on a given secured broker every bench client logs in as the admin (same TLS and SCRAM costs)."""
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka_bootstrap=env.bootstrap,
        topic_prefix=f"bench{tag}.cases.",
        dead_letter_topic=f"bench{tag}.deadletters",
        consumer_group=f"bench{tag}",
        topic_partitions=8,  # as the hub's default: 1, 2 and 4 members get equal shares
    )
    if env.own_broker:
        return settings.model_copy(update={"kafka_security": "plaintext"})
    # A secured broker: the bench's processes (groups per variant) log in as the hub admin.
    return settings.model_copy(update={"kafka_username": settings.kafka_admin_user})
