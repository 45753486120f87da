"""`casehub notify sweep | run`: subscriptions' new matches → notifications and e-mail; agency webhooks."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from consumers.clock import utcnow
from services.bootstrap import open_store
from services.cli.bounds import INTERVAL_MIN, SECONDS_MAX
from services.cli.configuration import service_settings, settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors
from services.stop_signals import stop_on_signals

notify_app = typer.Typer(
    help="Subscriptions' notifications (in-app, e-mail via CASEHUB_SMTP_*) and agency webhooks.",
    no_args_is_help=True,
)


@notify_app.command("sweep")
@one_line_errors
def sweep() -> None:
    """One sweep: new notifications, then pending e-mail."""
    from services.notify.notifier import Notifier
    from services.notify.webhooks import WebhookDispatcher

    s = settings()
    engine, _ = open_store(s)
    now = utcnow()
    report = Notifier(engine, s).sweep(now)
    hooks = WebhookDispatcher(engine, s).sweep(now)
    console.print(
        f"{report.notified} new notification(s); {report.emailed} e-mailed, {report.failed} failed."
    )
    console.print(
        f"webhooks: {hooks.queued} queued, {hooks.delivered} delivered, {hooks.failed} failed, "
        f"{hooks.dead} given up."
    )


@notify_app.command("run")
@one_line_errors
def run(
    interval: Annotated[
        float, typer.Option(min=INTERVAL_MIN, max=SECONDS_MAX, help="Seconds between sweeps.")
    ] = 30.0,
) -> None:
    """Sweep every interval until Ctrl-C."""
    from services.notify.notifier import Notifier
    from services.notify.webhooks import WebhookDispatcher

    s = service_settings()
    engine, _ = open_store(s)
    notifier = Notifier(engine, s)
    dispatcher = WebhookDispatcher(engine, s)
    stop = threading.Event()
    stop_on_signals(stop)
    while not stop.is_set():
        report = notifier.sweep(utcnow())
        dispatcher.sweep(utcnow())
        if report.notified or report.emailed or report.failed:
            console.print(f"{report.notified} new; {report.emailed} e-mailed, {report.failed} failed.")
        stop.wait(interval)
