"""`casehub rebuild`: the shared store rebuilt from the Kafka log, and proven equal to the live one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from consumers.heap import settle_for_batches
from schemas.errors import CasehubError
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors
from services.settings import shown_url, store_url_problem


@one_line_errors
def rebuild(
    into: Annotated[
        str | None,
        typer.Option(help="Database URL of an EMPTY target store (default: a new SQLite file in home)."),
    ] = None,
    verify: Annotated[bool, typer.Option(help="Compare counts and checksums with the live store.")] = True,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Replay processes over disjoint partitions (PostgreSQL; default one per core). "
            "SQLite rebuilds in one.",
        ),
    ] = None,
) -> None:
    """Rebuild every projection from the log into a fresh store and compare it with the live one."""
    from services.rebuild import compare_stores, rebuild_store
    from services.store.engine import make_engine

    s = settings()
    if into is not None and (problem := store_url_problem(into)) is not None:
        raise CasehubError(f"--into {shown_url(into)}: {problem}")
    settle_for_batches()  # this process runs the replay loop (one process, or SQLite): consumers/heap.py
    target = into or f"sqlite:///{(s.home / f'rebuild-{datetime.now(UTC):%Y%m%dT%H%M%S}.db').resolve()}"
    columns = (
        TextColumn("rebuilding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("rebuild", total=None)
        report = rebuild_store(
            s,
            target,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            registry=make_engine(s.store_url),
            processes=processes,
        )
    console.print(
        f"Rebuilt {target}: {report.records} records → {report.events} events, "
        f"{report.dead_letters} dead letters in {report.seconds:.1f}s "
        f"({report.events_per_second:,.0f} records/s, {report.processes} process"
        f"{'es' if report.processes > 1 else ''}).",
        highlight=False,
        soft_wrap=True,
    )
    if not verify:
        return
    comparisons = compare_stores(make_engine(s.store_url), make_engine(target))
    table = Table("table", "live rows", "rebuilt rows", "live checksum", "rebuilt checksum", "equal")
    for c in comparisons:
        mark = "[green]yes[/green]" if c.equal else "[red]NO[/red]"
        table.add_row(
            c.table, str(c.live.rows), str(c.rebuilt.rows), c.live.checksum, c.rebuilt.checksum, mark
        )
    console.print(table)
    if not all(c.equal for c in comparisons):
        err.print(
            "The rebuilt store differs from the live store (is the live materializer caught up and stopped?)."
        )
        raise typer.Exit(1)
    console.print("The rebuilt store equals the live store.")
