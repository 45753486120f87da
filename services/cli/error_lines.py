"""A command that fails for a reason we know says it in one red line and exits 1 (no traceback wall)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.markup import escape

from deploy.broker.host import BrokerError
from deploy.postgres_install import PostgresError
from schemas.errors import CasehubError
from services.cli.consoles import err

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
