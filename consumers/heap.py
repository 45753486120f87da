"""The garbage collector tuned for a process that folds batches: fewer young collections, and nothing
allocated before the loop (modules, reference data, compiled readers and checks) walked again.

A batch of 2,000 records allocates a few hundred thousand short-lived objects (decoded dicts, models,
rows), almost none of them in reference cycles: with CPython's default gen-0 threshold of 700 the collector
runs hundreds of times per batch and its older generations re-walk every long-lived object. Measured with
the in-process decode harness (20,000 events, 3 runs each, alternating): 74–80 µs/event default, 62–66 with
this tuning. Reference counting still frees everything at once; only cyclic garbage waits a little longer.

Only for processes that run a consumer loop (`casehub consume` and its members, the benchmark's workers):
`gc.freeze()` keeps whatever is alive at the call forever, which a test process running many loops must not.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 20_000
"""Allocations (minus frees) between young collections; CPython's default is 700 (2,000 from 3.13)."""

_settled = False
"""True once `settle_for_batches` ran: this process runs a consumer loop and nothing else."""


def settle_for_batches() -> None:
    """Freeze what is alive now into the permanent generation, and collect the young one less often."""
    global _settled
    _settled = True
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


@contextmanager
def collection_after_batch() -> Iterator[None]:
    """In a settled process, no cyclic collection while a batch is processed; the first allocation after
    it runs the one due. Elsewhere (tests, `casehub up`'s threads beside the API) it changes nothing.

    A young collection walks every tracked object allocated since the last one that is still alive; in
    the middle of a batch that is the batch itself (its records, decoded events, payloads and rows), so
    each of a batch's collections walked a batch's worth of objects that reference counting frees a moment
    later anyway. CPython keeps counting allocations while collection is off, so after the batch the
    generations' thresholds fire as before, over what survived the batch only. Cyclic garbage a batch makes
    lives until the batch ends (a batch is bounded: `max_poll_records`). Process-wide: the other threads
    allocate without collecting meanwhile too. A block entered with collection already off leaves it off.
    """
    if not _settled or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
