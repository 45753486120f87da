"""`casehub simulate`: realistic multi-agency traffic from the simulator, sent to the agency topics."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from services.bootstrap import build_publisher
from services.cli.bounds import DAYS_MAX, EVENTS_MAX, RATE_MAX, SEED_MAX, SEED_MIN
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors
from services.cli.publishing import not_confirmed_line

if TYPE_CHECKING:
    from schemas.events import CaseEvent

_CHUNK = 20_000


@one_line_errors
def simulate(
    events: Annotated[
        int, typer.Option("--events", "-n", min=1, max=EVENTS_MAX, help="How many events to generate.")
    ],
    rate: Annotated[
        float | None,
        typer.Option(min=0.1, max=RATE_MAX, help="Events per second (default: as fast as possible)."),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=SEED_MIN, max=SEED_MAX, help="Same seed, same events, byte for byte.")
    ] = 389,
    start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day cases open.")] = datetime(
        2025, 1, 1
    ),
    days: Annotated[int, typer.Option(min=1, max=DAYS_MAX, help="Days over which cases open.")] = 365,
    truth: Annotated[
        Path | None, typer.Option(help="Write which subject ids are the same seller (JSON).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the events as JSON Lines instead of sending.")
    ] = None,
) -> None:
    """Generate realistic case lifecycles from all five agencies and publish them (or write them out)."""
    from producers.simulator import Simulation

    simulation = Simulation(seed, start=date(start.year, start.month, start.day), days=days)
    stream = simulation.events(events)
    started = time.monotonic()
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            for event in stream:
                handle.write(event.model_dump_json() + "\n")
        sent, failed = events, 0
    else:
        sent, failed = _publish(stream, events, rate)
    elapsed = time.monotonic() - started
    ground = simulation.ground_truth()
    if truth is not None:
        truth.write_text(json.dumps(ground, ensure_ascii=False, indent=1), encoding="utf-8")
    where = f"wrote {output}" if output else f"published {sent} events; {failed} failed"
    if output is None and sent + failed < events:
        where += f"; {events - sent - failed} not sent"
    console.print(
        f"Simulated {events} events in {simulation.cases} cases ({len(ground['sellers'])} sellers behind "
        f"{len(ground['subject_to_seller'])} subject ids); {where} in {elapsed:.1f}s "
        f"({events / elapsed if elapsed else 0:,.0f} events/s).",
        highlight=False,
    )
    if failed:
        raise typer.Exit(1)


def _publish(stream: Iterator[CaseEvent], total: int, rate: float | None) -> tuple[int, int]:
    """Send in chunks; with a rate, chunks of half a second's worth, each waiting for its moment."""
    chunk = max(1, int(rate / 2)) if rate else _CHUNK
    publisher = build_publisher(settings())
    sent = failed = 0
    started = time.monotonic()
    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("events", total=total)
            while batch := list(islice(stream, chunk)):
                if rate:
                    time.sleep(max(0.0, started + (sent + failed) / rate - time.monotonic()))
                report = publisher.publish(batch)
                sent, failed = sent + report.sent, failed + len(report.failed)
                bar.advance(task, len(batch))
                unconfirmed = [f for f in report.failed if f.event_id not in report.rejected_ids]
                if unconfirmed:  # the broker is gone: stop here rather than fail every later chunk slowly
                    for event_id, reason in unconfirmed[:10]:
                        err.print(f"  {event_id}: {reason}", highlight=False)
                    err.print(
                        not_confirmed_line(sent, len(unconfirmed), "with the same --seed and --events"),
                        highlight=False,
                    )
                    break
    finally:
        publisher.close()
    return sent, failed
