"""`casehub broker start|stop|status` and `casehub topics create`."""

from __future__ import annotations

import typer

from deploy.kafka_broker import ensure_jars
from services.bootstrap import create_topics
from services.cli.common import console, one_line_errors, settings
from services.local_hub import broker_for

broker_app = typer.Typer(help="The local Apache Kafka broker (single-node KRaft).", no_args_is_help=True)
topics_app = typer.Typer(help="Agency case topics and the dead-letter topic.", no_args_is_help=True)


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
    """Is the local broker running and does it answer? Exit code 3 when it is not running."""
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
