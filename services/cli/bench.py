"""`casehub bench [--scale S] [--json FILE]`: the benchmark table, on a real broker and PostgreSQL.

The harness (`bench/` at the top of the checkout) is not part of the installed package: it is a
development tool, so `casehub bench` finds it in the source checkout this CLI runs from, and says
so in one line when there is none (an installed wheel)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from schemas.errors import CasehubError
from services.cli.bounds import SCALE_MAX, SCALE_MIN
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors

_CHECKOUT = Path(__file__).resolve().parents[2]


@one_line_errors
def bench(
    scale: Annotated[
        float,
        typer.Option(
            min=SCALE_MIN, max=SCALE_MAX, help="1 = the full run (200k events, 1M cases); 0.01 = a smoke run."
        ),
    ] = 1.0,
    json: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here.")] = None,
) -> None:
    """Throughput, latency and query speed side by side with the naive baseline and COPY."""
    settings()  # logging set-up
    environment, runner = harness("environment"), harness("runner")
    with environment.bench_environment() as env:
        err.print(f"bench: broker {env.bootstrap}, PostgreSQL {env.postgres_server_url}", highlight=False)
        report = runner.run_bench(
            env, runner.BenchPlan(scale=scale), say=lambda line: err.print(line, highlight=False)
        )
    report.print(console)
    if json is not None:
        report.write_json(json)
        console.print(f"figures written to {json}")


def harness(module: str, checkout: Path | None = None) -> ModuleType:
    """`bench.<module>` from the checkout this CLI runs from; CasehubError (one line) when there is none."""
    checkout = checkout or _CHECKOUT
    if not (checkout / "bench" / f"{module}.py").is_file():
        raise CasehubError(
            "the benchmark harness is not installed: it lives in the source checkout (bench/); "
            "run `make bench` or `casehub bench` from a clone of the repository (pip install -e .)"
        )
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    return importlib.import_module(f"bench.{module}")
