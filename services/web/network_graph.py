"""A seller's network drawn on the server as inline SVG: subjects on a circle, one line per link labelled
with the identifier kind. No JavaScript and nothing fetched (as services/web/charts); every label escaped.

A circle, not a force layout: networks are small (the link cap bounds each key to a few subjects), a
circle is deterministic (the same network always draws the same), and it needs no layout library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

NODE = "#1f6feb"
ASKED = "#d29922"
EDGE = "#8b949e"
MAX_NODES = 60
"""Beyond this the drawing is unreadable; the tables under it list everything."""


@dataclass(frozen=True)
class Node:
    node_id: str
    label: str


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    kind: str
    value: str


def network_svg(
    nodes: Sequence[Node], edges: Sequence[Edge], asked: str | None = None, size: int = 520
) -> Markup:
    """The graph; nodes link to their dossiers, lines carry the key in a tooltip."""
    if not nodes:
        return Markup("")
    shown = list(nodes)[:MAX_NODES]
    centre = size / 2
    radius = 0 if len(shown) == 1 else size / 2 - 90
    where: dict[str, tuple[float, float]] = {}
    for index, node in enumerate(shown):
        angle = 2 * math.pi * index / len(shown) - math.pi / 2
        where[node.node_id] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    parts = [f'<svg class="chart network" viewBox="0 0 {size} {size}" width="100%" role="img">']
    kinds_between: dict[tuple[str, str], list[Edge]] = {}
    for edge in edges:
        if edge.a in where and edge.b in where:
            kinds_between.setdefault(tuple(sorted((edge.a, edge.b))), []).append(edge)  # type: ignore[arg-type]
    for (a, b), between in sorted(kinds_between.items()):
        (x1, y1), (x2, y2) = where[a], where[b]
        title = escape("; ".join(f"{e.kind} {e.value}" for e in between))
        kinds = escape(", ".join(sorted({e.kind for e in between})))
        parts.append(
            f'<line class="link" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{EDGE}" '
            f'stroke-width="{1 + len(between)}"><title>{title}</title></line>'
            f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 4:.1f}" text-anchor="middle" class="l">'
            f"{kinds}</text>"
        )
    for node in shown:
        x, y = where[node.node_id]
        label = node.label if len(node.label) <= 24 else node.label[:23] + "…"
        colour = ASKED if node.node_id == asked else NODE
        href = escape("/subjects/" + quote(node.node_id, safe=""))
        parts.append(
            f'<a href="{href}"><circle class="subject" cx="{x:.1f}" cy="{y:.1f}" r="14" fill="{colour}">'
            f"<title>{escape(node.node_id)}</title></circle></a>"
            f'<text x="{x:.1f}" y="{y + 30:.1f}" text-anchor="middle" class="l">{escape(label)}</text>'
        )
    if len(nodes) > MAX_NODES:
        parts.append(f'<text x="4" y="{size - 6}" class="l">+{len(nodes) - MAX_NODES}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
