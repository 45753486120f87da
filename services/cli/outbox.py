"""`casehub outbox relay|status`: an agency's transactional outbox table, relayed to its Kafka topic."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Any

import typer
from sqlalchemy import create_engine

from producers.outbox import create_outbox_table
from producers.outbox_relay import OutboxRelay
from services.bootstrap import build_publisher
from services.cli.configuration import service_settings, settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

outbox_app = typer.Typer(help="The transactional outbox of an agency database.", no_args_is_help=True)
DatabaseOption = Annotated[
    str,
    typer.Option(
        "--database", envvar="CASEHUB_OUTBOX_DATABASE_URL", help="SQLAlchemy URL of the agency database."
    ),
]


@outbox_app.command()
@one_line_errors
def relay(
    database: DatabaseOption,
    until_idle: Annotated[
        float | None, typer.Option(help="Exit once the outbox stayed empty this many seconds.")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per round trip.")] = 1000,
) -> None:
    """Publish pending outbox rows in order; wait out broker outages; Ctrl-C stops after the batch."""
    s = service_settings()
    engine = create_engine(database)
    create_outbox_table(engine)
    outbox_relay = OutboxRelay(engine, lambda: build_publisher(s), batch_size=batch_size)
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stats = outbox_relay.run(stop, idle_exit_s=until_idle)
    console.print(
        f"Relayed {stats.sent} events in {stats.batches} batches; {stats.retries} retries while the broker "
        f"was unavailable; {stats.rejected} rejected; {outbox_relay.pending()} pending.",
        highlight=False,
    )


@outbox_app.command()
@one_line_errors
def status(database: DatabaseOption) -> None:
    """How many events wait in the outbox."""
    engine = create_engine(database)
    create_outbox_table(engine)
    relay_view = OutboxRelay(engine, lambda: build_publisher(settings()))
    console.print(
        f"{relay_view.pending()} events pending in {engine.url.render_as_string()}.", highlight=False
    )
