"""What makes two deliveries of one event id the same event: everything but where and how it was read.

A redelivery (a producer retry, a re-published outbox row, a replayed log) carries the same content and
is absorbed; an id re-used for something else is not the same event and must not be lost silently.
"""

from __future__ import annotations

from typing import Any

from consumers.records import StoredEvent

CHANGED_DUPLICATE = "event id already stored with other content"
_NOT_CONTENT = frozenset(
    {"source_topic", "source_partition", "source_offset", "schema_version", "recorded_at"}
)
CONTENT_FIELDS = tuple(name for name in StoredEvent.__dataclass_fields__ if name not in _NOT_CONTENT)
"""Not content: where it was read, the writer's schema version (how it was encoded: a v1 re-send of a
v2 event), and when the sender recorded it (an importer re-reading the same report records it anew)."""


def event_content(event: StoredEvent) -> tuple[Any, ...]:
    return tuple(getattr(event, name) for name in CONTENT_FIELDS)


def same_content(a: StoredEvent, b: StoredEvent) -> bool:
    return event_content(a) == event_content(b)
