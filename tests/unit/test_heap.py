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


_BATCH_CHILD = """
import gc, json, weakref
from consumers.heap import collection_after_batch, settle_for_batches

class Node:
    pass

def cycle(found):
    a, b = Node(), Node()
    a.other, b.other = b, a
    weakref.finalize(a, found.append, "collected")

seen = {}
found = []
with collection_after_batch():  # not settled: nothing changes
    seen["unsettled_inside"] = gc.isenabled()
settle_for_batches()
with collection_after_batch():
    seen["inside"] = gc.isenabled()
    cycle(found)
    keep = [Node() for _ in range(100_000)]  # far past the young threshold: no collection meanwhile
    seen["collected_inside"] = list(found)
seen["after"] = gc.isenabled()
more = [Node() for _ in range(10)]  # the first allocations after the batch run the collection that is due
seen["collected_after"] = list(found)
try:
    with collection_after_batch():
        raise ValueError("a batch that fails")
except ValueError:
    seen["after_failure"] = gc.isenabled()
gc.disable()
with collection_after_batch():
    pass
seen["left_off"] = not gc.isenabled()
print(json.dumps(seen))
"""


def test_a_settled_process_collects_after_each_batch_not_during_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _BATCH_CHILD], capture_output=True, text=True, check=True
    ).stdout
    seen = json.loads(out)
    assert seen["unsettled_inside"] is True
    assert seen["inside"] is False
    assert seen["collected_inside"] == []
    assert seen["after"] is True
    assert seen["collected_after"] == ["collected"]
    assert seen["after_failure"] is True
    assert seen["left_off"] is True
