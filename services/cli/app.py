"""The casehub CLI application: hub commands here, command groups from their own modules.

A command imports what it runs when it runs, not when the CLI starts: the analyst API (FastAPI, every
route, page and model) and the local broker's launcher only for `up` and `api`; the store (SQLAlchemy,
Alembic, psycopg), the Kafka clients, the Avro codec and the TLS stack only inside the commands that use
them (services/bootstrap.py's factories import theirs when called). Loading all of it at every start cost
~1.9 s of CPU, which `--help`, `lag`, each member process of `casehub consume --processes N` and every
other command paid whatever it then used; the CLI now starts in ~0.5 s. tests/unit/test_cli_imports.py
keeps it so.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from consumers.heap import settle_for_batches
from schemas.errors import CasehubError
from services.bootstrap import build_materializer, consumer_store, open_store
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.cli import ops, publishing, simulate
from services.cli.agencies import agencies_app
from services.cli.alerts import alerts_app
from services.cli.audit import audit_app
from services.cli.bench import bench
from services.cli.bounds import EVENTS_MAX, LIST_MAX, PORT_MAX, PORT_MIN, SECONDS_MAX
from services.cli.broker import broker_app, cluster_app, topics_app
from services.cli.configuration import service_settings
from services.cli.consoles import console, err
from services.cli.database import db_app
from services.cli.deployment import deploy_app
from services.cli.dlq import dlq_app
from services.cli.entities import entities_app
from services.cli.error_lines import one_line_errors
from services.cli.notify import notify_app
from services.cli.outbox import outbox_app
from services.cli.rebuild import rebuild
from services.cli.schemas import schemas_app
from services.cli.tokens import demo_token_lines, tokens_app
from services.settings import Settings
from services.stop_signals import stop_on_signals

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="casehub — the shared enforcement data hub (Kafka → shared violation database).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(broker_app, name="broker")
app.add_typer(cluster_app, name="cluster")
app.add_typer(agencies_app, name="agencies")
app.add_typer(deploy_app, name="deploy")
app.add_typer(topics_app, name="topics")
app.command("lag")(ops.lag)
app.add_typer(schemas_app, name="schemas")
app.add_typer(tokens_app, name="tokens")
app.add_typer(dlq_app, name="dlq")
app.add_typer(entities_app, name="entities")
app.add_typer(alerts_app, name="alerts")
app.add_typer(audit_app, name="audit")
app.add_typer(notify_app, name="notify")
app.command("rebuild")(rebuild)
app.command("bench")(bench)
app.command("publish")(publishing.publish)
app.command("simulate")(simulate.simulate)
app.add_typer(outbox_app, name="outbox")


@app.command()
@one_line_errors
def up(
    cases: Annotated[int, typer.Option(min=0, max=LIST_MAX, help="Demo cases to publish.")] = 40,
    simulated: Annotated[
        int,
        typer.Option(
            "--simulate", min=0, max=EVENTS_MAX, help="Also publish this many simulated events (seed 389)."
        ),
    ] = 0,
) -> None:
    """Start broker, topics, materializer and API, publish demo data, and run until Ctrl-C."""
    from deploy.kafka_broker import ensure_jars  # what only `up` needs: see the module's docstring
    from services.local_hub import LocalHub

    s = service_settings()
    console.print("Fetching the Apache Kafka broker jars (cached after the first run)...")
    ensure_jars()
    # Verbatim: the hub's lines carry error text (a crashed consumer's reason), never markup.
    hub = LocalHub(s, say=lambda line: console.print(line, markup=False, highlight=False))
    try:
        summary = hub.start(demo_cases=cases, simulated_events=simulated)
        console.print(
            "\n[bold green]casehub is up[/bold green]\n"
            f"  Kafka broker : {summary.bootstrap} ({broker_trust(summary.credentials)})\n"
            f"{credential_lines(summary.credentials)}"
            f"  Store        : {summary.store_url}\n"
            f"  API          : {summary.api_url}/api/cases  (OpenAPI: {summary.api_url}/docs)\n"
            f"  Published    : {summary.published} events\n"
            f"  Materialized : {summary.events_stored} events in {summary.cases_stored} cases\n"
            f"  Web UI       : {summary.api_url}/  (sign in with a DEMO user, or a token below)\n"
            f"{demo_token_lines(summary.demo_tokens)}"
            f"  Alerts inbox : {summary.api_url}/alerts  (each demo user sees its agency's alerts)\n"
            f"  Public tips  : {summary.api_url}/tin-bao  (no sign-in); BCĐ 389 triages them at /tips\n"
            f"  Notifications: {summary.api_url}/notifications; e-mail via SMTP {summary.smtp}"
            + (f", read the messages in {summary.mail_dir}/new (Maildir)\n" if summary.mail_dir else "\n")
            + "Press Ctrl-C to stop.",
            highlight=False,
            soft_wrap=True,
        )
        hub.run_until_interrupted()
    finally:
        hub.stop()


def broker_trust(credentials: dict[str, Path] | None) -> str:
    return (
        "PLAINTEXT, no logins: CASEHUB_KAFKA_SECURITY=plaintext" if credentials is None else "SASL_SSL + ACLs"
    )


def credential_lines(credentials: dict[str, Path] | None) -> str:
    """Where each Kafka user's credential file is (librdkafka properties, mode 0600)."""
    if not credentials:
        return ""
    lines = [f"    {name:<13}: {path}\n" for name, path in sorted(credentials.items())]
    return "  Kafka logins (one 0600 file each, librdkafka format):\n" + "".join(lines)


@app.command()
@one_line_errors
def consume(
    until_idle: Annotated[
        float | None,
        typer.Option(min=0, max=SECONDS_MAX, help="Exit after this many seconds without new records."),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Member processes of the group (default CASEHUB_CONSUMER_PROCESSES, else one per core "
            "given; one on SQLite).",
        ),
    ] = None,
) -> None:
    """Run the materializer: agency topics → shared store, exactly once in effect."""
    from services.member_processes import stop_when_parent_gone
    from services.ops.consumer_monitor import ConsumerMonitor

    s = service_settings()
    stop = threading.Event()
    stop_on_signals(stop, err.print)
    stop_when_parent_gone(stop, err.print)
    engine, _ = open_store(s)
    if (count := processes or s.consumer_members) > 1:
        consume_in_members(s, engine, count, until_idle, stop)
        return
    store = consumer_store(s)  # no ping per batch: a broken connection is an outage the loop waits out
    monitor = ConsumerMonitor(s, engine)
    materializer = build_materializer(s, store, observer=monitor.observer)
    try:
        materializer.source.start()  # fail fast, in one line, before serving metrics and probes
    except CasehubError:
        materializer.close()
        raise
    if server := monitor.start(materializer.source, materializer.liveness):
        err.print(f"Metrics and probes on {server.url}/metrics, /healthz, /readyz", highlight=False)
    settle_for_batches()
    try:
        stats = materializer.run(stop, idle_exit_s=until_idle)
    except CasehubError:
        raise
    except Exception as exc:  # exit 1 with one line; the orchestrator restarts us (docs/operations.md)
        raise CasehubError(materializer.liveness.problem() or f"materializer stopped: {exc!r}") from exc
    finally:
        monitor.stop()
        materializer.source.close()
        materializer.dead_letter_sink.close()
        store.engine.dispose()
    console.print(
        f"Materialized {stats.events} events from {stats.records} records in {stats.batches} batches; "
        f"{stats.dead_letters} dead letters."
    )


def consume_in_members(
    s: Settings, engine: Engine, count: int, until_idle: float | None, stop: threading.Event
) -> None:
    """The parent of N member processes: checks the broker first (one line, exit 1, if it is not there),
    then supervises the members and serves the group's /readyz until ^C / SIGTERM or all went idle."""
    from services.member_processes import MemberGroup, member_env
    from services.ops import health
    from services.ops.consumer_monitor import ConsumerMonitor

    health.broker_check(s.kafka_bootstrap, s.connect_timeout_s, lambda: client_options(s, Role.OPS))()
    group = MemberGroup(
        count,
        member_env(),
        s.metrics_port,
        lambda line: err.print(line, highlight=False, soft_wrap=True, markup=False),  # child text, verbatim
        until_idle,
        s.consumer_stall_s,
    )
    monitor = ConsumerMonitor(s, engine)
    threads = group.start(stop)
    if server := monitor.start_group(group.livenesses()):
        err.print(
            f"{count} member processes in group {s.consumer_group}; the group's /readyz on {server.url}, "
            + (f"member i's own on port {s.metrics_port}+i" if s.metrics_port else "members' on free ports"),
            highlight=False,
        )
    try:
        group.wait(threads)
    finally:
        monitor.stop()
    console.print(f"All {count} member processes stopped.")


@app.command()
@one_line_errors
def api(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option(min=PORT_MIN, max=PORT_MAX)] = None,
) -> None:
    """Serve the analyst API (not demo mode: demo principals' tokens are refused)."""
    import uvicorn  # the API's imports only where it is served: see the module's docstring

    from services.access.resolver import DEMO_REFUSED, has_demo_tokens
    from services.api.app import create_app
    from services.api.startup_heap import settle_startup_heap

    s = service_settings()
    engine, _ = open_store(s)
    if has_demo_tokens(engine):
        err.print(f"This store holds demo principals: {DEMO_REFUSED}.", highlight=False, soft_wrap=True)
    served = create_app(engine, s, sample_lag=True)
    settle_startup_heap()
    uvicorn.run(
        served,
        host=host or s.api_host,
        port=port or s.api_port,
        log_level="warning",
    )


def main() -> None:
    app()
