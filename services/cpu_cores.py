"""How many cores this process is given: its CPU affinity, capped by a cgroup CPU quota when one is set.

`casehub consume` runs one materializer member per core it is given (services/member_processes.py): the
materializer is CPU-bound in CPython, one process uses one core. `os.cpu_count()` counts the machine's
cores, not the ones a container or `taskset` leaves us; the affinity mask counts those a cpuset allows,
and a quota (`docker run --cpus 2`, a Kubernetes CPU limit) shows only in the cgroup's files: cgroup v2
`cpu.max` ("max 100000" when unlimited), v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1 when unlimited).
A quota of 1.5 cores gives 2 members (each then gets three quarters of a core: still more than one).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def cores_given(cgroup: Path = CGROUP) -> int:
    """At least 1: the cores the affinity mask allows, fewer when the cgroup's quota allows fewer."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    quota = cgroup_quota(cgroup)
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def cgroup_quota(cgroup: Path = CGROUP) -> float | None:
    """The cgroup's CPU quota in cores, or None when there is none (or it cannot be read)."""
    v2 = _read(cgroup / "cpu.max")
    if v2 is not None:
        parts = v2.split()
        return _ratio(parts[0], parts[1]) if len(parts) == 2 and parts[0] != "max" else None
    quota, period = _read(cgroup / "cpu" / "cpu.cfs_quota_us"), _read(cgroup / "cpu" / "cpu.cfs_period_us")
    if quota is None or period is None:
        return None
    return _ratio(quota, period)


def _ratio(quota: str, period: str) -> float | None:
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    return q / p if q > 0 and p > 0 else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
