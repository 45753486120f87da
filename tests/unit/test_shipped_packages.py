"""What the wheel ships: the hub's packages, without the bench harness or test fakes; `casehub bench`
still runs the harness from a checkout and says in one line when there is none."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages
from typer.testing import CliRunner

from services.cli import bench as bench_command
from services.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DOUBLES = ("Fake", "Memory", "List", "Recording", "Stub")
"""How the project names its test doubles (tests/fakes.py, alert_fakes.py, publishing_fakes.py)."""


def shipped_packages() -> list[str]:
    """The packages `pip install` puts in the wheel, by the same rule setuptools applies to pyproject."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return find_packages(where=str(ROOT), include=config["tool"]["setuptools"]["packages"]["find"]["include"])


def test_the_bench_harness_and_the_tests_are_not_in_the_wheel() -> None:
    packages = shipped_packages()
    assert "services" in packages and "producers" in packages  # the rule still finds the hub
    assert not [name for name in packages if name.split(".")[0] in ("bench", "tests") or ".bench" in name]


def test_no_shipped_module_defines_a_fake_or_a_recording_double() -> None:
    doubles = []
    for package in shipped_packages():
        for path in (ROOT / package.replace(".", "/")).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and node.name.startswith(
                    ("Fake", "Memory", "List", "Recording")
                ):
                    doubles.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert doubles == []


def test_bench_from_an_install_without_the_checkout_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASEHUB_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(bench_command, "_CHECKOUT", tmp_path)  # an installed wheel: no bench/ beside it
    result = CliRunner().invoke(app, ["bench", "--scale", "0.01"])
    assert result.exit_code == 1
    assert "benchmark harness is not installed" in result.output
    assert "Traceback" not in result.output


def test_bench_from_the_checkout_finds_the_harness() -> None:
    runner = bench_command.harness("runner")
    assert Path(runner.__file__ or "").parent == ROOT / "bench"
    assert runner.BenchPlan(scale=0.01).events == 2_000
