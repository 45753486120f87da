"""Durations as people read them on a dashboard: 850ms, 12.3s, 3m12s, 2h05m, 3d04h."""

from __future__ import annotations


def human_duration(seconds: float | None) -> str:
    """A compact duration; an em dash when unknown."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return "0s" if seconds <= 0 else f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d{whole % 86400 // 3600:02d}h"
