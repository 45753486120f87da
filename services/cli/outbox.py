"""`casehub outbox relay|status`: an agency's transactional outbox table, relayed to its Kafka topic."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from schemas.errors import CasehubError
from services.bootstrap import build_publisher, driver_reason
from services.cli.bounds import BATCH_MAX, SECONDS_MAX
from services.cli.configuration import service_settings, settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors
from services.settings import shown_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
        float | None,
        typer.Option(min=0, max=SECONDS_MAX, help="Exit once the outbox stayed empty this many seconds."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=BATCH_MAX, help="Rows per round trip.")] = 1000,
) -> None:
    """Publish pending outbox rows in order; wait out broker outages; Ctrl-C stops after the batch."""
    from producers.outbox_relay import OutboxRelay

    s = service_settings()
    engine = outbox_database(database)
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
    from producers.outbox_relay import OutboxRelay

    engine = outbox_database(database)
    relay_view = OutboxRelay(engine, lambda: build_publisher(settings()))
    console.print(
        f"{relay_view.pending()} events pending in {engine.url.render_as_string()}.", highlight=False
    )


def outbox_database(database: str) -> Engine:
    """The agency database with its outbox table; a URL SQLAlchemy cannot read, a driver not installed or
    a database that cannot be reached is one line (exit 1), not SQLAlchemy's traceback."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from producers.outbox import create_outbox_table

    try:
        engine = create_engine(database)
    except ArgumentError as exc:  # unparsable, or no dialect of that name (NoSuchModuleError)
        problem = f"not a database URL this casehub can open ({exc})"
        raise CasehubError(f"--database {shown_url(database)}: {problem}") from None
    try:
        create_outbox_table(engine)
    except SQLAlchemyError as exc:
        reason = driver_reason(exc)
        raise CasehubError(f"cannot open the agency database {shown_url(database)}: {reason}") from None
    return engine
