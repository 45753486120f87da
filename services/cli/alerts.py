"""`casehub alerts list | evaluate`: the early warnings raised, and a sweep of the rules on demand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from schemas.alerts import AlertRule
from services.bootstrap import open_store
from services.cli.bounds import LIST_MAX
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

alerts_app = typer.Typer(
    help="Early warnings: overlaps, repeat offenders, spikes, overdue referrals.", no_args_is_help=True
)


@alerts_app.command("list")
@one_line_errors
def list_raised(
    agency: Annotated[
        str | None, typer.Option(help="Only alerts addressed to this agency (or to all).")
    ] = None,
    rule: Annotated[AlertRule | None, typer.Option(help="Only this rule.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=LIST_MAX)] = 50,
) -> None:
    """Alerts newest first, with whom they tell and what they say."""
    from services.store.alert_store import list_alerts

    engine, _ = open_store(settings())
    with engine.connect() as connection:
        rows, total = list_alerts(connection, agency=agency, rule=rule.value if rule else None, limit=limit)
    table = Table("raised", "rule", "to", "summary", "cases", "published")
    for row in rows:
        alert = row["alert"]
        table.add_row(
            f"{row['raised_at']:%Y-%m-%d %H:%M}",
            row["rule"],
            ",".join(alert["agencies"]),
            row["summary"],
            str(len(alert["case_ids"])),
            "yes" if row["published_at"] else "pending",
        )
    console.print(table)
    console.print(f"{total} alert(s).")


@alerts_app.command("evaluate")
@one_line_errors
def evaluate(
    now: Annotated[
        datetime | None, typer.Option(help="Judge as of this moment (ISO, with zone); default: now.")
    ] = None,
    publish: Annotated[bool, typer.Option(help="Publish new alerts to the alerts topic.")] = True,
) -> None:
    """Run every rule once: store the new alerts and publish the unpublished ones."""
    from services.early_warning import build_alert_outbox

    if now is not None and now.tzinfo is None:
        raise typer.BadParameter("give --now with a time zone, e.g. 2026-01-31T08:00:00+07:00")
    s = settings()
    engine, _ = open_store(s)
    outbox = build_alert_outbox(s, engine, publish=publish)
    try:
        result = outbox.sweep(now)
    finally:
        if outbox.sink is not None:
            outbox.sink.close()
    console.print(f"{result.evaluated} alert(s) hold; {result.raised} new; {result.published} published.")
