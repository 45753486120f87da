"""`casehub bench [--scale S] [--json FILE]`: the benchmark table, on a real broker and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.bench.environment import bench_environment
from services.bench.runner import BenchPlan, run_bench
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors


@one_line_errors
def bench(
    scale: Annotated[
        float, typer.Option(help="1 = the full run (200k events, 1M cases); 0.01 = a smoke run.")
    ] = 1.0,
    json: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here.")] = None,
) -> None:
    """Throughput, latency and query speed side by side with the naive baseline and COPY."""
    settings()  # logging set-up
    with bench_environment() as env:
        err.print(f"bench: broker {env.bootstrap}, PostgreSQL {env.postgres_server_url}", highlight=False)
        report = run_bench(env, BenchPlan(scale=scale), say=lambda line: err.print(line, highlight=False))
    report.print(console)
    if json is not None:
        report.write_json(json)
        console.print(f"figures written to {json}")
