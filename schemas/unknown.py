"""'Unknown, with a reason': an event names the payload facts it lacks instead of guessing them.

A path is a field of the payload, optionally into a list: `phone`, `items[0].value_vnd`. The field
must be optional and left empty, so a value and an unknown-reason can never contradict each other.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from schemas.record import Frozen
from schemas.shapes import Prose
from schemas.vocabulary import UnknownReason

_STEP = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)\])?$")


class UnknownValue(Frozen):
    """One missing fact of the payload and why it is missing."""

    path: str = Field(min_length=1, max_length=200)
    reason: UnknownReason = UnknownReason.NOT_RECORDED
    note: Prose | None = None


def unknown_path_problem(payload: BaseModel, path: str) -> str | None:
    """Why `path` cannot be declared unknown in `payload`, or None when it can."""
    *parents, leaf = path.split(".")
    node: Any = payload
    for step in parents:
        match = _STEP.match(step)
        if match is None or not isinstance(node, BaseModel) or match.group(1) not in type(node).model_fields:
            return f"unknown[{path}]: {step!r} is not a field of the payload"
        node = getattr(node, match.group(1))
        if match.group(2) is not None:
            index = int(match.group(2))
            if not isinstance(node, tuple) or index >= len(node):
                return f"unknown[{path}]: {step!r} has no such item"
            node = node[index]
    field = type(node).model_fields.get(leaf) if isinstance(node, BaseModel) else None
    if field is None:
        return f"unknown[{path}]: {leaf!r} is not a field of the payload"
    if field.is_required():
        return f"unknown[{path}]: {leaf} is required, so it cannot be unknown"
    if getattr(node, leaf) not in (None, ()):
        return f"unknown[{path}]: {leaf} has a value, so it is not unknown"
    return None
