"""The casehub CLI application: hub commands here, command groups from their own modules."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from deploy.kafka_broker import ensure_jars
from producers.demo_data import demo_events
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from services.api.app import create_app
from services.bootstrap import build_materializer, build_publisher, open_store
from services.cli import ops
from services.cli.broker import broker_app, topics_app
from services.cli.common import console, err, one_line_errors, settings
from services.cli.schemas import schemas_app
from services.cli.tokens import demo_token_lines, tokens_app
from services.local_hub import LocalHub
from services.ops.consumer_monitor import ConsumerMonitor

app = typer.Typer(
    help="casehub — the shared enforcement data hub (Kafka → shared violation database).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(broker_app, name="broker")
app.add_typer(topics_app, name="topics")
app.command("lag")(ops.lag)
app.add_typer(schemas_app, name="schemas")
app.add_typer(tokens_app, name="tokens")


@app.command()
@one_line_errors
def up(cases: Annotated[int, typer.Option(help="Demo cases to publish.")] = 40) -> None:
    """Start broker, topics, materializer and API, publish demo data, and run until Ctrl-C."""
    s = settings()
    console.print("Fetching the Apache Kafka broker jars (cached after the first run)...")
    ensure_jars()
    hub = LocalHub(s, say=console.print)
    try:
        summary = hub.start(demo_cases=cases)
        console.print(
            "\n[bold green]casehub is up[/bold green]\n"
            f"  Kafka broker : {summary.bootstrap}\n"
            f"  Store        : {summary.store_url}\n"
            f"  API          : {summary.api_url}/api/cases  (OpenAPI: {summary.api_url}/docs)\n"
            f"  Published    : {summary.published} events\n"
            f"  Materialized : {summary.events_stored} events in {summary.cases_stored} cases\n"
            f"  Web UI       : {summary.api_url}/  (sign in with a DEMO user, or a token below)\n"
            f"{demo_token_lines(summary.demo_tokens)}"
            "Press Ctrl-C to stop.",
            highlight=False,
            soft_wrap=True,
        )
        hub.run_until_interrupted()
    finally:
        hub.stop()


@app.command()
@one_line_errors
def publish(
    file: Annotated[Path | None, typer.Argument(help="JSON Lines file of case events.")] = None,
    demo: Annotated[bool, typer.Option(help="Publish the built-in demo data set.")] = False,
) -> None:
    """Validate, encode and publish case events to their agency topics."""
    if (file is None) == (not demo):
        raise typer.BadParameter("give a FILE or --demo (not both)")
    events = demo_events() if demo else _read_events(file)  # type: ignore[arg-type]
    publisher = build_publisher(settings())
    try:
        report = publisher.publish(events)
    finally:
        publisher.close()
    console.print(f"Published {report.sent} events; {len(report.failed)} failed.")
    for event_id, reason in report.failed:
        err.print(f"  {event_id}: {reason}")
    if report.failed:
        raise typer.Exit(1)


def _read_events(file: Path) -> list[CaseEvent]:
    events = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(CaseEvent.model_validate(json.loads(line)))
        except ValueError as exc:
            raise CasehubError(f"{file}:{number}: {str(exc).splitlines()[0]}") from None
    return events


@app.command()
@one_line_errors
def consume(
    until_idle: Annotated[
        float | None, typer.Option(help="Exit after this many seconds without new records.")
    ] = None,
) -> None:
    """Run the materializer: agency topics → shared store, exactly once in effect."""
    s = settings()
    engine, store = open_store(s)
    monitor = ConsumerMonitor(s, engine)
    materializer = build_materializer(s, store, observer=monitor.observer)
    if server := monitor.start(materializer.source):
        err.print(f"Metrics and probes on {server.url}/metrics, /healthz, /readyz", highlight=False)
    stop = threading.Event()
    try:
        stats = materializer.run(stop, idle_exit_s=until_idle)
    except KeyboardInterrupt:
        stats = materializer.stats
    finally:
        monitor.stop()
        materializer.source.close()
        materializer.dead_letter_sink.close()
    console.print(
        f"Materialized {stats.events} events from {stats.records} records in {stats.batches} batches; "
        f"{stats.dead_letters} dead letters."
    )


@app.command()
@one_line_errors
def api(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Serve the analyst API."""
    s = settings()
    engine, _ = open_store(s)
    uvicorn.run(
        create_app(engine, s, sample_lag=True),
        host=host or s.api_host,
        port=port or s.api_port,
        log_level="warning",
    )


def main() -> None:
    app()
