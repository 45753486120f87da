"""`casehub lag`: consumer lag of any group on the cluster, as tables, live, or JSON."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from schemas.outages import BrokerUnavailable
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.cli.bounds import INTERVAL_MIN, SECONDS_MAX
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors
from services.ops.burrow import LagStatus
from services.ops.durations import human_duration
from services.ops.lag import GroupLag, LagReport, LagWindow, consumer_lag, hub_groups, lag_window

STATUS_STYLE = {LagStatus.OK: "bold green", LagStatus.WARN: "bold yellow"}


@one_line_errors
def lag(
    group: Annotated[str | None, typer.Option("--group", "-g", help="One group (default: all).")] = None,
    watch: Annotated[bool, typer.Option("--watch", "-w", help="Refresh until Ctrl-C.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document per refresh.")] = False,
    interval: Annotated[
        float,
        typer.Option(min=INTERVAL_MIN, max=SECONDS_MAX, help="Seconds between refreshes with --watch."),
    ] = 2.0,
) -> None:
    """Lag per group and partition: messages and time behind, Burrow status, member, catch-up estimate."""
    from services.ops.kafka_offsets import KafkaClusterOffsets

    s = settings()
    window = lag_window(s)
    groups = [group] if group else None
    cluster = KafkaClusterOffsets(s.kafka_bootstrap, s.connect_timeout_s, client_options(s, Role.OPS))
    report = functools.partial(consumer_lag, cluster, window, groups, expected=hub_groups(s))
    try:
        if not watch:
            show(report(), window, as_json)
        elif as_json:
            while True:
                show(report(), window, as_json=True)
                time.sleep(interval)
        else:
            watch_live(report, window, interval)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close()


def show(report: LagReport, window: LagWindow, as_json: bool) -> None:
    """JSON is one unwrapped document per refresh (indented on a terminal), for jq and scripts."""
    if as_json:
        typer.echo(report.model_dump_json(indent=2 if console.is_terminal else None))
    else:
        console.print(render(report, window))


def watch_live(report: Callable[[], LagReport], window: LagWindow, interval: float) -> None:
    """Redraw in place; a broker hiccup is shown and retried rather than ending the watch."""
    with Live(Text("…"), console=console, auto_refresh=False) as live:
        while True:
            try:
                view: RenderableType = render(report(), window)
            except BrokerUnavailable as exc:
                view = Text(f"error: {exc} (retrying every {interval:g}s)", style="red")
            live.update(view, refresh=True)
            time.sleep(interval)


def render(report: LagReport, window: LagWindow) -> RenderableType:
    parts: list[RenderableType] = []
    for group in report.groups:
        parts += [group_line(group), partition_table(group), Text("")]
    if not report.groups:
        parts.append(Text("No consumer group on this cluster, and none of the hub's has messages waiting."))
    parts.append(
        Text(
            f"Burrow window: last {window.intervals} commits ≥{window.min_distance_s:g}s apart "
            f"(commit log read back {human_duration(window.lookback_s)}) · computed at "
            f"{report.generated_at:%Y-%m-%d %H:%M:%S} UTC",
            style="dim",
        )
    )
    return Group(*parts)


def group_line(group: GroupLag) -> Text:
    line = Text(f"{group.group}  ", style="bold")
    line.append(group.status.value, style=style_of(group.status))
    if group.worst != group.status:
        line.append(f" ({group.worst.value})", style=style_of(group.worst))
    line.append(
        f"  {group.state} · lag {group.lag_messages:,} messages · {human_duration(group.lag_seconds)} behind"
        f" · consuming {group.consume_rate:,.0f}/s · catch-up {human_duration(group.catch_up_seconds)}"
    )
    return line


def partition_table(group: GroupLag) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold dim")
    for title in ("Topic", "Part", "Committed", "Log end", "Lag", "Behind", "Status", "Member", "Rate/s"):
        table.add_column(title, justify="left" if title in ("Topic", "Status", "Member") else "right")
    table.add_column("Catch-up", justify="right")
    for row in group.partitions:
        table.add_row(
            row.topic,
            str(row.partition),
            "never" if row.committed_offset is None else f"{row.committed_offset:,}",
            f"{row.log_end_offset:,}",
            f"{row.lag_messages:,}",
            human_duration(row.lag_seconds),
            Text(row.status.value, style=style_of(row.status)),
            row.member or "—",
            f"{row.consume_rate:,.0f}",
            human_duration(row.catch_up_seconds),
        )
    return table


def style_of(status: LagStatus) -> str:
    return STATUS_STYLE.get(status, "bold red")
