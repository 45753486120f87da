"""Bar charts drawn on the server as inline SVG: no JavaScript, nothing fetched, readable when printed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = "#1f6feb"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    href: str | None = None


def columns(bars: Sequence[Bar], shown: Callable[[float], str], height: int = 180) -> Markup:
    """Vertical columns (a time series): label under each column, value above it."""
    if not bars:
        return Markup("")
    width = max(320, 44 * len(bars))
    step = width / len(bars)
    top = max(b.value for b in bars) or 1
    plot = height - 36
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img">']
    for index, bar in enumerate(bars):
        h = plot * bar.value / top
        x = index * step + step * 0.15
        y = 16 + plot - h
        title = escape(f"{bar.label}: {shown(bar.value)}")
        rect = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{title}</title></rect>"
        )
        parts.append(_linked(rect, bar.href))
        cx = index * step + step / 2
        value = escape(shown(bar.value))
        parts.append(f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="v">{value}</text>')
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 4}" text-anchor="middle" class="l">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(items: Sequence[Bar], shown: Callable[[float], str], label_width: int = 210) -> Markup:
    """Horizontal bars (categories, provinces): label left, value right, longest first as given."""
    if not items:
        return Markup("")
    row = 24
    width = 480
    height = row * len(items) + 4
    room = width - label_width - 90
    top = max(b.value for b in items) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img">']
    for index, bar in enumerate(items):
        y = index * row + 4
        w = max(1.0, room * bar.value / top)
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" class="l">'
            f"<title>{escape(bar.label)}</title>{escape(label)}</text>"
        )
        rect = (
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}">'
            f"<title>{escape(bar.label)}: {escape(shown(bar.value))}</title></rect>"
        )
        parts.append(_linked(rect, bar.href))
        parts.append(
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" class="v">{escape(shown(bar.value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _linked(element: str, href: str | None) -> str:
    return f'<a href="{escape(href)}">{element}</a>' if href else element
