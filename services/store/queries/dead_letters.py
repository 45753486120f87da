"""Dead letters filtered and paginated, for `casehub dlq list` and GET /api/ops/deadletters.

Only what an operator needs to triage (where from, why, when, replay state, sizes); the raw bytes stay
in the store and are shown one letter at a time (`casehub dlq show`), as they may hold personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from services.store.tables import DeadLetterRow

_COLUMNS = (
    DeadLetterRow.id,
    DeadLetterRow.consumer_group,
    DeadLetterRow.topic,
    DeadLetterRow.partition,
    DeadLetterRow.offset,
    DeadLetterRow.error_class,
    DeadLetterRow.error_message,
    DeadLetterRow.created_at,
    DeadLetterRow.replay_attempts,
    DeadLetterRow.last_replay_at,
    DeadLetterRow.resolved_at,
    DeadLetterRow.resolved_event_id,
    func.length(DeadLetterRow.key).label("key_bytes"),
    func.length(DeadLetterRow.value).label("value_bytes"),
)


@dataclass(frozen=True)
class DeadLetterQuery:
    reason: str | None = None
    """Case-insensitive words in the error class or message, e.g. `DecodeError` or `schema id`."""
    since: datetime | None = None
    until: datetime | None = None
    topic: str | None = None
    pending_only: bool = False
    limit: int = 100
    offset: int = 0


def read_dead_letters(connection: Connection, query: DeadLetterQuery) -> tuple[list[dict[str, Any]], int]:
    """The page of letters (oldest first, as they arrived) and how many match in all."""
    conditions = []
    if query.reason:
        pattern = (
            "%" + query.reason.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        )
        conditions.append(
            or_(
                func.lower(DeadLetterRow.error_class).like(pattern, escape="\\"),
                func.lower(DeadLetterRow.error_message).like(pattern, escape="\\"),
            )
        )
    if query.since is not None:
        conditions.append(DeadLetterRow.created_at >= query.since)
    if query.until is not None:
        conditions.append(DeadLetterRow.created_at < query.until)
    if query.topic:
        conditions.append(DeadLetterRow.topic == query.topic)
    if query.pending_only:
        conditions.append(DeadLetterRow.resolved_at.is_(None))
    count = connection.scalar(select(func.count()).select_from(DeadLetterRow).where(*conditions)) or 0
    page = (
        select(*_COLUMNS)
        .where(*conditions)
        .order_by(DeadLetterRow.id)
        .limit(query.limit)
        .offset(query.offset)
    )
    return [dict(row._mapping) for row in connection.execute(page)], int(count)
