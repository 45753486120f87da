"""Shared pieces of the casehub CLI: consoles, settings, and one-line errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
import typer
from rich.console import Console
from rich.markup import escape

from deploy.kafka_broker import BrokerError
from deploy.postgres_cluster import PostgresError
from schemas.errors import CasehubError
from services.logging import configure_logging
from services.settings import Settings

# Piped output (logs, CI, tests) gets wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(command: F) -> F:
    """Turn our errors into one red line and exit code 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (CasehubError, BrokerError, PostgresError, OSError) as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    configure_logging("WARNING")
    try:
        return Settings()
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = "CASEHUB_" + "_".join(str(part) for part in error["loc"]).upper()
        raise CasehubError(f"bad setting {where}: {error['msg']}" if error["loc"] else error["msg"]) from None
