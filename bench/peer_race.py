"""Our materializer and the peer (Kafka Connect + Debezium's JDBC sink) on the same events, alternating.

Both read the same simulated events from the same broker and write them into the same PostgreSQL
server (each run into a fresh database of its own), one after the other, so the shared machine's load
falls on both alike; with several rounds the order alternates (ours, peer; peer, ours; ...). Each side
gets its rate, its process CPU and the server's CPU per row, all read with the same /proc meter, and
the ratios ours ÷ peer. Not a pass/fail test: a table of what was measured.

The peer writes one table (the event log row); ours validates, folds and writes ~15 tables per event.

Each side runs as a user gets it by default on this machine: the peer as one Connect worker with one
task (`tasks.max=1`; the JVM's threads — fetch, JIT, collector — make it use more than one core), ours as
`casehub consume` runs on PostgreSQL with no setting, one member process per core it is given
(services/cpu_cores.py). The cores each side kept busy (its CPU seconds over its seconds) are reported
beside the rates, and the CPU per row does not depend on how many processes ran.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.cpu import PostgresCpu
from bench.environment import BenchEnvironment
from bench.figures import BenchReport, Comparison
from bench.peer import create_table, publish_records, run_peer
from bench.pipeline import materialize
from deploy.connect_worker import KafkaClientSecurity
from schemas.events import CaseEvent
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import Settings

PEER = "Kafka Connect 4.3.1 + Debezium JDBC sink 3.6.0 (upsert, batch 4,000)"


@dataclass
class _Side:
    processes: int = 1
    rows: int = 0
    seconds: float = 0.0
    whole_seconds: float = 0.0
    process_cpu_s: float = 0.0
    postgres_cpu_s: float | None = 0.0

    def add(
        self, rows: int, seconds: float, process_cpu_s: float, postgres_cpu_s: float | None, whole_s: float
    ) -> None:
        self.rows += rows
        self.seconds += seconds
        self.whole_seconds += whole_s
        self.process_cpu_s += process_cpu_s
        self.postgres_cpu_s = (
            None
            if postgres_cpu_s is None or self.postgres_cpu_s is None
            else self.postgres_cpu_s + postgres_cpu_s
        )

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def whole_per_second(self) -> float:
        """Rows over the whole window: from the processes' start (the connector's creation) to the end."""
        return self.rows / self.whole_seconds if self.whole_seconds else 0.0

    @property
    def cores_busy(self) -> float:
        """The process's CPU seconds over the run's seconds: how many cores it kept busy on average."""
        return self.process_cpu_s / self.seconds if self.seconds else 0.0

    def micros_per_row(self, cpu_s: float) -> float:
        return cpu_s / self.rows * 1e6 if self.rows else 0.0


def race_peer(
    env: BenchEnvironment,
    settings: Settings,
    events: Sequence[CaseEvent],
    produced: int,
    rounds: int,
    report: BenchReport,
    say: Callable[[str], None],
) -> None:
    """Publish the events for the peer, run both sides `rounds` times alternating, add the figures."""
    topic = f"{settings.consumer_group}.peer.connect-json"
    admin = client_options(settings, Role.ADMIN)
    published = publish_records(env.bootstrap, topic, events, settings.topic_partitions, admin)
    meter = PostgresCpu(env.postgres_server_url)
    members = settings.model_copy(update={"database_url": env.postgres_server_url}).consumer_members
    ours, peer = _Side(processes=members), _Side()
    for round_no in range(rounds):

        def run_ours(round_no: int = round_no) -> None:
            say(f"   ... round {round_no + 1}: our materializer ({members} processes, the default here)")
            group = f"{settings.consumer_group}-race{round_no}"
            database_url = env.new_postgres_database()
            run = materialize(
                settings.model_copy(update={"consumer_group": group}),
                database_url,
                produced,
                workers=members,
                postgres_cpu=meter,
            )
            env.retire_database(database_url)  # its autovacuum would fall in the next side's figures
            ours.add(run.rate.count, run.rate.seconds, run.cpu_s, run.postgres_cpu_s, run.whole_seconds)

        def run_the_peer(round_no: int = round_no) -> None:
            say(f"   ... round {round_no + 1}: the peer (Connect worker + JDBC sink)")
            database_url = env.new_postgres_database()
            create_table(database_url)
            run = run_peer(
                env.bootstrap,
                env.postgres_server_url,
                database_url,
                topic,
                published,
                env.workdir / f"connect-{round_no}",
                KafkaClientSecurity.from_client_options(admin),
            )
            env.retire_database(database_url)
            if run.rows != len({e.event_id for e in events}):
                raise RuntimeError(f"the peer landed {run.rows} rows of {len(events)} events")
            peer.add(run.rows, run.seconds, run.worker_cpu_s, run.postgres_cpu_s, run.whole_seconds)

        for step in (run_ours, run_the_peer) if round_no % 2 == 0 else (run_the_peer, run_ours):
            step()
    _add_figures(report, ours, peer, rounds)


def _add_figures(report: BenchReport, ours: _Side, peer: _Side, rounds: int) -> None:
    report.peer = PEER
    section = "peer"
    report.add(
        section,
        "peer: Connect + JDBC sink",
        peer.per_second,
        "rows/s",
        rows=peer.rows,
        rounds=rounds,
        window="first row landed → last",
    )
    report.add(
        section,
        "peer: connector created → all committed",
        peer.whole_per_second,
        "rows/s",
        note="task start and last offset commit included",
    )
    report.add(section, "peer: worker CPU per row", peer.micros_per_row(peer.process_cpu_s), "µs")
    report.add(section, "peer: cores its worker kept busy", peer.cores_busy, "cores", tasks=1)
    report.add(
        section,
        "ours on the same events",
        ours.per_second,
        "events/s",
        events=ours.rows,
        processes=ours.processes,
        note="`casehub consume`'s default here: one member per core given",
    )
    report.add(
        section,
        "ours: processes started → all stored",
        ours.whole_per_second,
        "events/s",
        note="start, group join and first fetch included",
    )
    report.add(section, "ours: cores our processes kept busy", ours.cores_busy, "cores")
    report.add(
        section, "ours: materializer CPU per event", ours.micros_per_row(ours.process_cpu_s), "µs", "≤ 60"
    )
    ratio = ours.per_second / peer.per_second if peer.per_second else 0.0
    report.add(section, "ours ÷ peer (rate)", ratio, "×", "≥ 1.5")
    comparisons = [
        Comparison("rate", "rows/s", ours.per_second, peer.per_second),
        Comparison(
            "process CPU per row",
            "µs",
            ours.micros_per_row(ours.process_cpu_s),
            peer.micros_per_row(peer.process_cpu_s),
        ),
    ]
    if ours.postgres_cpu_s is not None and peer.postgres_cpu_s is not None:
        ours_pg, peer_pg = ours.micros_per_row(ours.postgres_cpu_s), peer.micros_per_row(peer.postgres_cpu_s)
        report.add(section, "peer: PostgreSQL CPU per row", peer_pg, "µs")
        report.add(section, "ours: PostgreSQL CPU per event", ours_pg, "µs", "≤ 30")
        comparisons.append(Comparison("PostgreSQL CPU per row", "µs", ours_pg, peer_pg))
        comparisons.append(
            Comparison(
                "CPU per row, process + PostgreSQL",
                "µs",
                ours.micros_per_row(ours.process_cpu_s + ours.postgres_cpu_s),
                peer.micros_per_row(peer.process_cpu_s + peer.postgres_cpu_s),
            )
        )
    else:
        report.parameters["postgres_cpu"] = "not measured: the PostgreSQL server is not on this machine"
    report.comparisons.extend(comparisons)
