"""A publish call's events cut into windows: validated and packed together, handed to the sender together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from schemas.events import CaseEvent

T = TypeVar("T")
WINDOW = 5_000
"""Events validated and packed before their batches are handed to the sender (~165 a partition here)."""

Window = tuple[list[CaseEvent], list[bytes | None] | None]
"""A window's events and, when the caller prepared them, their wire bytes (None: encode here)."""


class Unprepared:
    """`publish`'s events as `publish_prepared` pairs (event, None), for subclasses overriding that."""

    def __init__(self, events: Iterable[CaseEvent]) -> None:
        self.events = events

    def __iter__(self) -> Iterator[tuple[CaseEvent, bytes | None]]:
        return ((event, None) for event in self.events)


def windows_of(prepared: Iterable[tuple[CaseEvent, bytes | None]]) -> Iterator[Window]:
    """The pairs in windows of WINDOW events (`publish`'s own events: no pairs built and taken apart)."""
    if isinstance(prepared, Unprepared):
        return ((window, None) for window in _windows(iter(prepared.events), WINDOW))
    return (
        ([event for event, _ in window], [encoded for _, encoded in window])
        for window in _windows(iter(prepared), WINDOW)
    )


def _windows(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while window := list(islice(items, size)):
        yield window
