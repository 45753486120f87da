"""The Jinja2 environment every page renders with, and the filters the templates share."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi.templating import Jinja2Templates

from services.ops.durations import human_duration

TEMPLATE_DIR = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def page_templates() -> Jinja2Templates:
    """Built on first use (nothing is read at import); autoescaping is on for .html."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.filters["duration"] = human_duration
    templates.env.filters["thousands"] = lambda n: "—" if n is None else f"{n:,}".replace(",", ".")
    return templates
