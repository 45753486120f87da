"""Rows that could not become events, with the column, the value and the reason; written beside the input."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or one of its cells) was not published; `column` is the header as the file wrote it."""

    row: int
    column: str
    value: str
    reason: str


def errors_path(source: Path) -> Path:
    """Where the report of a file's bad rows goes: next to it, FILE.errors.csv."""
    return source.with_name(source.name + ".errors.csv")


def write_problems(path: Path, problems: list[RowProblem]) -> None:
    """The report as CSV with a BOM, so Excel shows Vietnamese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "value", "reason"])
        for problem in sorted(problems, key=lambda p: (p.row, p.column)):
            writer.writerow([problem.row, problem.column, problem.value, problem.reason])
