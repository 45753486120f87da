"""Every module a process starts from (`python -m ...`) imports on its own, in a fresh interpreter.

An import cycle shows only when the first module imported sits inside it: the test suite imports modules
in its own order, so a cycle a `-m` entry point walks into (the benchmark's materializer worker met one:
store writer → queries package → store writer) passed every in-process test and failed in the child.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PACKAGES = ("bench", "consumers", "deploy", "producers", "schemas", "services")


def _entry_modules() -> list[str]:
    found = []
    for package in _PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if path.name == "__main__.py" or 'if __name__ == "__main__"' in text:
                parts = path.relative_to(ROOT).with_suffix("").parts
                found.append(".".join(parts[:-1] if path.name == "__main__.py" else parts))
    return found


def test_the_entry_points_are_found() -> None:
    assert {"services.cli", "bench.materialize_worker", "deploy"} <= set(_entry_modules())


@pytest.mark.parametrize("module", _entry_modules())
def test_an_entry_module_imports_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import importlib; importlib.import_module({module!r})"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
