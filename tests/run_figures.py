"""Figures the tests print in the run's summary: fault scenarios, the poison fuzzer, schemathesis, the
import corpus score.

A test records its lines here instead of printing them: under pytest-xdist (`make test` runs two
workers) each worker is its own process whose output the controller does not show, so tests/conftest.py
ships every worker's lines to the controller (`workeroutput`) and prints them all in the summary, in a
serial run and a parallel one alike.
"""

from __future__ import annotations

SECTIONS: dict[str, list[str]] = {}


def record(section: str, *lines: str) -> None:
    """Keep `lines` for the summary's `section` (sections print in the order first recorded)."""
    SECTIONS.setdefault(section, []).extend(lines)


def merge(sections: dict[str, list[str]]) -> None:
    """Add another process's sections (a worker's, on the controller)."""
    for section, lines in sections.items():
        record(section, *lines)
