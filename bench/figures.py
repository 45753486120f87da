"""Benchmark figures with units and parameters, printed as one table and written as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: float
    unit: str
    params: dict[str, Any] = field(default_factory=dict)
    target: str = ""


@dataclass(frozen=True)
class Comparison:
    """One measure of ours beside the same measure of a peer, on the same events in the same run."""

    name: str
    unit: str
    ours: float
    peer: float

    @property
    def ratio(self) -> float:
        return self.ours / self.peer if self.peer else 0.0


@dataclass
class BenchReport:
    parameters: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    peer: str = ""

    def add(
        self, section: str, name: str, value: float, unit: str, target: str = "", **params: Any
    ) -> Figure:
        figure = Figure(section, name, value, unit, params, target)
        self.figures.append(figure)
        return figure

    def value(self, section: str, name: str) -> float:
        return next(f.value for f in self.figures if (f.section, f.name) == (section, name))

    def print(self, console: Console) -> None:
        table = Table("section", "figure", "value", "unit", "target", "parameters", title="casehub bench")
        for f in self.figures:
            params = ", ".join(f"{k}={v}" for k, v in f.params.items())
            table.add_row(f.section, f.name, _show(f.value), f.unit, f.target, params)
        console.print(table)
        if self.comparisons:
            side = Table("measure", "ours", "peer", "ours ÷ peer", "unit", title=f"ours beside {self.peer}")
            for c in self.comparisons:
                side.add_row(c.name, _show(c.ours), _show(c.peer), f"{c.ratio:.2f}", c.unit)
            console.print(side)
        console.print("run parameters: " + ", ".join(f"{k}={v}" for k, v in self.parameters.items()))

    def write_json(self, path: Path) -> None:
        body = {
            "parameters": self.parameters,
            "figures": [asdict(f) for f in self.figures],
            "peer": self.peer,
            "comparisons": [{**asdict(c), "ratio": c.ratio} for c in self.comparisons],
        }
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def _show(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"
