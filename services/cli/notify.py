"""`casehub notify sweep | run`: turn subscriptions' new matches into notifications and send their e-mail."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from services.bootstrap import open_store
from services.cli.common import console, one_line_errors, settings
from services.notify.notifier import Notifier
from services.stop_signals import stop_on_signals
from services.store.tables import utcnow

notify_app = typer.Typer(
    help="Subscriptions' notifications: in-app and e-mail (CASEHUB_SMTP_*).", no_args_is_help=True
)


@notify_app.command("sweep")
@one_line_errors
def sweep() -> None:
    """One sweep: new notifications, then pending e-mail."""
    s = settings()
    engine, _ = open_store(s)
    report = Notifier(engine, s).sweep(utcnow())
    console.print(
        f"{report.notified} new notification(s); {report.emailed} e-mailed, {report.failed} failed."
    )


@notify_app.command("run")
@one_line_errors
def run(interval: Annotated[float, typer.Option(help="Seconds between sweeps.")] = 30.0) -> None:
    """Sweep every interval until Ctrl-C."""
    s = settings()
    engine, _ = open_store(s)
    notifier = Notifier(engine, s)
    stop = threading.Event()
    stop_on_signals(stop)
    while not stop.is_set():
        report = notifier.sweep(utcnow())
        if report.notified or report.emailed or report.failed:
            console.print(f"{report.notified} new; {report.emailed} e-mailed, {report.failed} failed.")
        stop.wait(interval)
