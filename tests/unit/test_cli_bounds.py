"""Every number a command takes has both ends (services/cli/bounds.py): a 30-digit dead-letter id, list
limit or batch size was SQLite's OverflowError with a traceback, a port past 65535 the socket's, an idle time
of NaN never ended (found by hand in session 17). Walks the CLI, so a new option without its bounds fails
here."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from services.cli.app import app
from services.cli.bounds import ROW_ID_MAX
from services.settings import Settings


def _is_number(annotation: Any) -> bool:
    return annotation in (int, float) or any(_is_number(arg) for arg in typing.get_args(annotation))


def number_parameters() -> Iterator[tuple[str, Any]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        for name, sub in (getattr(command, "commands", None) or {}).items():
            yield from walk(sub, [*path, name])
        for parameter in getattr(command, "params", []):
            descriptor = getattr(parameter, "type_descriptor", None)
            if descriptor is not None and _is_number(descriptor.annotation):
                yield " ".join(path), parameter

    yield from walk(typer.main.get_command(app), [])


def test_every_number_a_command_takes_has_both_ends() -> None:
    found = list(number_parameters())
    assert len(found) >= 27  # the walk reaches the sub-commands, integers and floats
    unbounded = [f"{path} {p.name}" for path, p in found if p.min is None or p.max is None]
    assert unbounded == []


@pytest.mark.parametrize(
    "arguments",
    [
        ["dlq", "show", str(ROW_ID_MAX + 1)],
        ["dlq", "replay", "1", "1" + "0" * 30],
        ["dlq", "list", "--limit", "1" + "0" * 30],
        ["alerts", "list", "--limit", "-1"],
        ["entities", "list", "--min-size", "1" + "0" * 30],
        ["simulate", "--events", "3", "--days", "1" + "0" * 30],
        ["api", "--port", "99999"],
        ["topics", "grow", "--partitions", "80000"],
        # floats: NaN never compares, so `until_idle nan` waited forever; a 0 s interval is a busy loop
        ["outbox", "relay", "--database", "sqlite://", "--until-idle", "nan"],
        ["consume", "--until-idle", "-1"],
        ["lag", "--interval", "0"],
        ["notify", "run", "--interval", "inf"],
        ["simulate", "--events", "3", "--rate", "nan"],
        ["bench", "--scale", "1e9"],
    ],
)
def test_a_number_out_of_bounds_is_a_usage_error_before_anything_runs(arguments: list[str]) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output


def test_every_number_a_setting_takes_has_both_ends_and_no_nan() -> None:
    """The same for CASEHUB_* settings: CASEHUB_LAG_SAMPLE_INTERVAL_S=0 was a busy loop, an alert window
    of 10^30 days an OverflowError in the sweep, NaN a wait that never ends (session 17)."""
    numbers = {
        name: field
        for name, field in Settings.model_fields.items()
        if _is_number(field.annotation) and field.annotation is not bool
    }
    assert len(numbers) >= 30
    unbounded = []
    for name, field in numbers.items():
        kinds = {type(m).__name__ for m in field.metadata}
        if not ({"Ge", "Gt"} & kinds and {"Le", "Lt"} & kinds):
            unbounded.append(name)
    assert unbounded == []
    floats = [name for name, field in numbers.items() if _is_float(field.annotation)]
    for name in floats:
        for value in ("nan", "inf", "-inf"):
            with pytest.raises(ValidationError):
                Settings(**{name: value})


def _is_float(annotation: Any) -> bool:
    return annotation is float or any(_is_float(arg) for arg in typing.get_args(annotation))
