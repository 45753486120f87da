"""Dead letters for the ops and admin roles: what the materializer rejected, why and when, paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.api.bounds import MAX_OFFSET
from services.api.deps import ConnectionDep, Operator
from services.api.request_audit import RequestAuditDep
from services.store.queries.dead_letters import DeadLetterQuery, read_dead_letters

router = APIRouter(prefix="/api/ops", tags=["ops"])


class DeadLetterOut(BaseModel):
    id: int
    consumer_group: str
    topic: str
    partition: int
    offset: int
    error_class: str = Field(description="The kind of rejection (docs/operations.md lists each).")
    error_message: str = Field(description="Why, in the words of the check or the database.")
    created_at: datetime
    replay_attempts: int
    last_replay_at: datetime | None
    resolved_at: datetime | None
    resolved_event_id: str | None = Field(description="Set once a replay turned it into an event.")
    key_bytes: int | None
    value_bytes: int | None = Field(description="Size of the kept record; the bytes: `casehub dlq show`.")


class DeadLetterList(BaseModel):
    data: list[DeadLetterOut]
    count: int


@router.get("/deadletters", response_model=DeadLetterList)
def dead_letters(
    audit: RequestAuditDep,
    principal: Operator,
    connection: ConnectionDep,
    reason: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="Words in the error class or message (case-insensitive for ASCII letters).",
        ),
    ] = None,
    since: Annotated[datetime | None, Query(description="Rejected at or after (ISO 8601).")] = None,
    until: Annotated[datetime | None, Query(description="Rejected before (ISO 8601).")] = None,
    topic: Annotated[str | None, Query(max_length=249, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
    pending: Annotated[bool, Query(description="Only letters no replay has resolved.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeadLetterList:
    """Rejected records, oldest first; reading them is audited (they come from agency systems)."""
    query = DeadLetterQuery(reason, since, until, topic, pending, limit, offset)
    rows, count = read_dead_letters(connection, query)
    audit.read(rows=len(rows))
    return DeadLetterList(data=[DeadLetterOut.model_validate(row) for row in rows], count=count)
