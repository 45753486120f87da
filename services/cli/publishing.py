"""`casehub publish`: events from a JSON Lines file, the demo set, or an agency report (CSV, XLSX, JSONL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pydantic
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from producers.importers.mapping import mapped_agencies
from schemas.errors import CasehubError
from schemas.json_text import json_lines
from schemas.validation_messages import vietnamese_errors
from services.bootstrap import build_publisher
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors

if TYPE_CHECKING:
    from producers.importers.importer import ImportResult
    from producers.publisher import FailedEvent
    from schemas.events import CaseEvent

_SHOWN_PROBLEMS = 10


@one_line_errors
def publish(
    file: Annotated[
        Path | None,
        typer.Argument(help="JSON Lines of case events; with --agency a CSV, XLSX or JSONL report."),
    ] = None,
    demo: Annotated[bool, typer.Option(help="Publish the built-in demo data set.")] = False,
    agency: Annotated[
        str | None,
        typer.Option(help=f"Read FILE as this agency's report ({', '.join(mapped_agencies())})."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Validate and encode everything; send nothing.")] = False,
) -> None:
    """Validate, encode and publish case events to their agency topics."""
    from producers.demo_data import demo_events

    if (file is None) == (not demo):
        raise typer.BadParameter("give a FILE or --demo (not both)")
    if agency is not None:
        if file is None:
            raise typer.BadParameter("--agency needs a FILE")
        _import_report(file, agency, dry_run)
        return
    events = demo_events() if demo else read_events(file)  # type: ignore[arg-type]
    if dry_run:
        console.print(f"Dry run: {len(events)} events are valid; nothing sent.")
        return
    publisher = build_publisher(settings())
    try:
        report = publisher.publish(events)
    finally:
        publisher.close()
    console.print(f"Published {report.sent} events; {len(report.failed)} failed.")
    lines = failure_lines(report.failed)
    for line in lines[:_SHOWN_PROBLEMS]:
        err.print(line, highlight=False, soft_wrap=True)
    if len(lines) > _SHOWN_PROBLEMS:
        err.print(f"  ... and {len(lines) - _SHOWN_PROBLEMS} more", highlight=False)
    unconfirmed = [f.event_id for f in report.failed if f.event_id not in report.rejected_ids]
    if unconfirmed:
        err.print(not_confirmed_line(report.sent, len(unconfirmed), "the same command"), highlight=False)
    if report.failed:
        raise typer.Exit(1)


def not_confirmed_line(sent: int, unconfirmed: int, rerun: str) -> str:
    """What an operator needs after a broker loss mid-publish: how many, and that a re-run is safe."""
    return (
        f"published {sent}, {unconfirmed} not confirmed — re-run {rerun} once the broker is back: "
        "events already stored are absorbed by their event id"
    )


def failure_lines(failed: list[FailedEvent]) -> list[str]:
    """One line per distinct reason: a refused ACL fails every event the same way and says so once."""
    by_reason: dict[str, list[str]] = {}
    for event_id, reason in failed:
        by_reason.setdefault(reason, []).append(event_id)
    return [
        f"  {ids[0]}: {reason}" if len(ids) == 1 else f"  {len(ids)} events: {reason}"
        for reason, ids in by_reason.items()
    ]


def read_events(file: Path) -> list[CaseEvent]:
    """Case events, one JSON object a line; every bad line is listed with its number, the failing fields
    and the reasons in Vietnamese (schemas/validation_messages.py), and nothing is published."""
    from schemas.events import CaseEvent

    events = []
    problems: list[str] = []
    for line in json_lines(file.read_bytes()):
        if line.blank:
            continue
        if line.problem is not None:
            problems.append(f"{file}:{line.number}: {line.problem}")
            continue
        try:
            events.append(CaseEvent.model_validate(line.value))
        except pydantic.ValidationError as exc:
            problems.extend(f"{file}:{line.number}: {reason}" for reason in vietnamese_errors(exc))
    if problems:
        shown = problems[:_SHOWN_PROBLEMS]
        more = len(problems) - len(shown)
        tail = [f"... và {more} lỗi khác (and {more} more)"] if more else []
        raise CasehubError("\n".join([f"{len(problems)} lỗi; không gửi sự kiện nào:", *shown, *tail]))
    return events


def _import_report(file: Path, agency: str, dry_run: bool) -> None:
    from producers.importers.importer import ReportImporter
    from producers.publisher import Publisher

    s = settings()
    importer = ReportImporter(file, agency, publisher=None)  # a wrong agency or file fails before connecting
    publisher: Publisher | None = None if dry_run else build_publisher(s)
    importer.publisher = publisher
    try:
        columns = (
            TextColumn(f"importing {file.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("rows", total=None)
            result = importer.run(
                on_rows=lambda n: bar.advance(task, n), on_total=lambda rows: bar.update(task, total=rows)
            )
    finally:
        if publisher is not None:
            publisher.close()
    _summarise(result, dry_run)
    if result.problems:
        raise typer.Exit(1)


def _summarise(result: ImportResult, dry_run: bool) -> None:
    rate = result.rows / result.seconds if result.seconds else 0.0
    console.print(
        f"Read {result.rows} rows of the {result.agency} report {result.source.name} "
        f"in {result.seconds:.1f}s ({rate:,.0f} rows/s).",
        highlight=False,
    )
    for number, why in result.skipped:
        console.print(f"  set aside row {number}: {why}", highlight=False)
    if result.ignored_columns:
        console.print(f"  ignored columns: {', '.join(result.ignored_columns)}", highlight=False)
    if dry_run:
        console.print(
            f"Dry run: {result.events} events from {result.published_rows} rows are valid; nothing sent; "
            f"{result.failed_rows} rows failed.",
            highlight=False,
        )
    else:
        console.print(
            f"Published {result.published_events} events from {result.published_rows} rows; "
            f"{result.failed_rows} rows failed.",
            highlight=False,
        )
    if not result.problems:
        return
    err.print(f"Problems ({len(result.problems)}) written to {result.errors_file}:", highlight=False)
    for problem in sorted(result.problems, key=lambda p: p.row)[:_SHOWN_PROBLEMS]:
        cell = f" {problem.column} = {problem.value!r}" if problem.column else ""
        err.print(f"  row {problem.row}{cell}: {problem.reason}", highlight=False, soft_wrap=True)
    if len(result.problems) > _SHOWN_PROBLEMS:
        err.print(f"  ... and {len(result.problems) - _SHOWN_PROBLEMS} more in the report", highlight=False)
