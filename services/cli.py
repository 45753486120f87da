"""The `casehub` command line. Errors are one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from rich.console import Console

from deploy.kafka_broker import BrokerError, ensure_jars
from producers.demo_data import demo_events
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from services.api.app import create_app
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.local_hub import LocalHub, broker_for
from services.logging import configure_logging
from services.settings import Settings

app = typer.Typer(
    help="casehub — the shared enforcement data hub (Kafka → shared violation database).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
broker_app = typer.Typer(help="The local Apache Kafka broker (single-node KRaft).", no_args_is_help=True)
topics_app = typer.Typer(help="Agency case topics and the dead-letter topic.", no_args_is_help=True)
app.add_typer(broker_app, name="broker")
app.add_typer(topics_app, name="topics")

console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(command: F) -> F:
    """Turn our errors into one red line and exit code 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (CasehubError, BrokerError, OSError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    configure_logging("WARNING")
    return Settings()


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
            "Press Ctrl-C to stop.",
            highlight=False,
            soft_wrap=True,
        )
        hub.run_until_interrupted()
    finally:
        hub.stop()


@broker_app.command("start")
@one_line_errors
def broker_start() -> None:
    """Fetch the jars if needed, format storage once, start the broker and wait until it answers."""
    s = settings()
    ensure_jars()
    broker = broker_for(s)
    broker.start()
    console.print(f"Kafka broker running on {broker.bootstrap} (data in {broker.data_dir})")


@broker_app.command("stop")
@one_line_errors
def broker_stop() -> None:
    """Stop the local broker cleanly (SIGTERM, then SIGKILL after a timeout)."""
    stopped = broker_for(settings()).stop()
    console.print("Kafka broker stopped." if stopped else "No local Kafka broker was running.")


@broker_app.command("status")
@one_line_errors
def broker_status() -> None:
    """Is the local broker running and does it answer?"""
    status = broker_for(settings()).status()
    state = "running" if status.running else "stopped"
    console.print(f"{state}; pid={status.pid}; bootstrap={status.bootstrap}; reachable={status.reachable}")
    if not status.running:
        raise typer.Exit(3)


@topics_app.command("create")
@one_line_errors
def topics_create() -> None:
    """Create the agency case topics and the dead-letter topic where missing."""
    created = create_topics(settings())
    console.print(f"Created: {', '.join(created)}" if created else "All topics already exist.")


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
    _, store = open_store(s)
    materializer = build_materializer(s, store)
    stop = threading.Event()
    try:
        stats = materializer.run(stop, idle_exit_s=until_idle)
    except KeyboardInterrupt:
        stats = materializer.stats
    finally:
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
    uvicorn.run(create_app(engine), host=host or s.api_host, port=port or s.api_port, log_level="warning")


def main() -> None:
    app()
