"""An agency installs `schemas` and `producers` only: no module of producers may need the hub's packages."""

from __future__ import annotations

import subprocess
import sys

BLOCK_THE_HUB = """
import importlib, importlib.abc, pkgutil, sys

class HubBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"services", "consumers", "deploy", "tests"}:
            raise ImportError(f"producers imported the hub package {name}")
        return None

sys.meta_path.insert(0, HubBlocker())
import producers
names = [m.name for m in pkgutil.walk_packages(producers.__path__, "producers.")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_producers_module_imports_without_the_hub_packages() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_THE_HUB], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 20
