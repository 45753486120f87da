"""Child process of the benchmark: `rebuild_store` into the database CASEHUB_REBUILD_TARGET names, run as
`casehub rebuild` runs it — a fresh process (its heap the hub's, not the benchmark's 200,000 generated
events, which its forked replay processes would otherwise carry) with the collector settled first — and
what it did printed as one JSON line, its CPU with its replay processes' (reaped by it) included."""

from __future__ import annotations

import json
import os
import sys

from consumers.heap import settle_for_batches
from services.rebuild import rebuild_store
from services.settings import Settings


def main() -> None:
    settle_for_batches()  # as `casehub rebuild` does before its replay
    before = os.times()
    report = rebuild_store(Settings(), os.environ["CASEHUB_REBUILD_TARGET"])
    after = os.times()
    cpu_s = sum(after[:4]) - sum(before[:4])  # user + system, own and reaped children's
    result = {
        "records": report.records,
        "seconds": report.seconds,
        "processes": report.processes,
        "cpu_s": cpu_s,
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
