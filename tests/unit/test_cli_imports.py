"""The CLI loads the analyst API only for the commands that serve it (services/cli/app.py's docstring):
every other command, and each member process of `casehub consume --processes N`, starts without it.
(That `up` and `api` still find it is what tests/e2e/test_up.py and the API's CLI tests run.)

Nor does it load the database, Kafka, Avro or TLS libraries until a command runs that uses them: `--help`
and any command's help start without them (the e2e tests run every command that does use them)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SERVED_ONLY = ("fastapi", "starlette", "uvicorn", "services.api", "services.web", "jinja2", "openpyxl")
USED_ONLY = (
    "sqlalchemy", "alembic", "psycopg", "kafka", "fastavro", "cryptography", "consumers.materializer"
)  # fmt: skip
"""Loaded by the commands that open the store, the broker or the schemas, not by the CLI's start."""


def after_cli(*arguments: str) -> tuple[str, set[str]]:
    """What `casehub <arguments>` printed in a fresh interpreter, and the modules it then held."""
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from services.cli.app import app\n"
        f"result = CliRunner().invoke(app, {list(arguments)!r})\n"
        "print(json.dumps([result.output, sorted(sys.modules)]))"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    output, modules = json.loads(done.stdout.splitlines()[-1])
    return output, set(modules)


def served_only(modules: set[str], names: tuple[str, ...] = SERVED_ONLY) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names or m.startswith(names))


@pytest.mark.parametrize("arguments", [("--help",), ("consume", "--help"), ("lag", "--help")])
def test_commands_that_serve_no_api_load_no_web_stack(arguments: tuple[str, ...]) -> None:
    output, modules = after_cli(*arguments)
    assert "Usage" in output
    assert served_only(modules) == []


def test_the_help_still_lists_the_commands_that_serve_the_api() -> None:
    output, _ = after_cli("--help")
    for command in ("up", "api", "consume", "lag", "rebuild"):
        assert f" {command} " in output, command


@pytest.mark.parametrize(
    "arguments",
    [
        ("--help",),
        ("consume", "--help"),
        ("lag", "--help"),
        ("tokens", "create", "--help"),
        ("dlq", "--help"),
    ],
)
def test_the_cli_starts_without_the_store_broker_avro_or_tls_libraries(
    arguments: tuple[str, ...],
) -> None:
    output, modules = after_cli(*arguments)
    assert "Usage" in output
    assert served_only(modules, USED_ONLY) == []


def test_every_import_a_command_makes_when_it_runs_resolves() -> None:
    """The imports inside the commands' bodies (and bootstrap's factories) run only when the command does:
    each must name a module and attribute that exist, or a command no test runs would fail for a user."""
    import ast
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "services" / "cli").glob("*.py")), root / "services" / "bootstrap.py"]
    checked = []
    for path in files:
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    module = importlib.import_module(node.module)
                    for alias in node.names:
                        if not hasattr(module, alias.name):  # a submodule: `from services.ops import health`
                            importlib.import_module(f"{node.module}.{alias.name}")
                        checked.append(f"{node.module}.{alias.name}")
    assert len(checked) >= 50, checked
