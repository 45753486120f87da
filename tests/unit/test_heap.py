"""The consumer's collector tuning, checked in a child interpreter (gc.freeze would keep this test
process's objects forever)."""

from __future__ import annotations

import json
import subprocess
import sys

from consumers.heap import YOUNG_THRESHOLD

_CHILD = """
import gc, json
from consumers.heap import settle_for_batches
before = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
settle_for_batches()
print(json.dumps({"before": before, "threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_settling_freezes_what_lives_and_collects_the_young_generation_less_often() -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True).stdout
    seen = json.loads(out)
    assert seen["before"]["frozen"] == 0
    assert seen["frozen"] > 1000  # the modules' objects at least
    assert seen["threshold"][0] == YOUNG_THRESHOLD > seen["before"]["threshold"][0]
    assert seen["threshold"][1:] == seen["before"]["threshold"][1:]
