"""A batch of case events posted by an agency system: each checked, the good ones published, each answered.

An event is refused (with its reasons, in Vietnamese) when it is not a CaseEvent, belongs to another
agency than the poster's, repeats an id of the same batch, or breaks the contract (`check_event`, the
same rules the materializer applies). An event whose id the hub already stored is answered `duplicate`
and not sent again, so re-posting a batch after a lost answer is safe; one still in flight is sent again
and the hub's event-id de-duplication absorbs it. The rest go to the agency's own topic through the
idempotent acks=all publisher, and each is answered with where it landed or why the broker refused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic
from sqlalchemy import Engine, select

from producers.errors import EventRejected
from producers.publisher import Publisher, checked_wire_bytes
from schemas.events import CaseEvent
from schemas.validation_messages import vietnamese_errors
from services.store.tables import CaseEventRow

Status = Literal["accepted", "duplicate", "refused"]


@dataclass
class Outcome:
    """The answer for one posted event, in the order posted."""

    index: int
    event_id: str | None = None
    status: Status = "refused"
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    reasons: list[str] = field(default_factory=list)


def _event_of(index: int, item: Any, agency: str) -> tuple[CaseEvent | None, Outcome]:
    outcome = Outcome(index)
    if not isinstance(item, dict):
        outcome.reasons = [f"[{index}]: phải là một đối tượng JSON CaseEvent (must be a JSON object)"]
        return None, outcome
    if isinstance(item.get("event_id"), str):
        outcome.event_id = item["event_id"]
    try:
        event = CaseEvent.model_validate(item)
    except pydantic.ValidationError as exc:
        outcome.reasons = vietnamese_errors(exc)
        return None, outcome
    outcome.event_id = str(event.event_id)
    if event.agency != agency:
        outcome.reasons = [
            f"agency: '{event.agency}' không phải cơ quan của bạn ('{agency}'); "
            "chỉ được gửi sự kiện của cơ quan mình (an agency publishes only its own events)"
        ]
        return None, outcome
    return event, outcome


def ingest(items: Sequence[Any], agency: str, publisher: Publisher, engine: Engine) -> list[Outcome]:
    """Check, publish and answer every posted item (blocking: the broker's confirmations are awaited)."""
    outcomes: list[Outcome] = []
    ready: dict[str, tuple[CaseEvent, bytes, Outcome]] = {}
    for index, item in enumerate(items):
        event, outcome = _event_of(index, item, agency)
        outcomes.append(outcome)
        if event is None:
            continue
        if outcome.event_id in ready:
            outcome.reasons = [
                "event_id: trùng với một sự kiện khác trong cùng yêu cầu (repeated in this batch)"
            ]
            continue
        try:
            encoded = checked_wire_bytes(publisher.codec, event)
        except EventRejected as exc:
            outcome.reasons = [exc.reason]
            continue
        ready[str(event.event_id)] = (event, encoded, outcome)
    for event_id in _stored(engine, list(ready)):
        _, _, outcome = ready.pop(event_id)
        outcome.status = "duplicate"
        outcome.reasons = ["đã có trong kho dữ liệu; không gửi lại (already stored by the hub)"]
    if ready:
        report = publisher.publish_prepared((event, encoded) for event, encoded, _ in ready.values())
        for delivery in report.deliveries:
            outcome = ready[delivery.event_id][2]
            outcome.status = "accepted"
            outcome.topic, outcome.partition, outcome.offset = (
                delivery.topic,
                delivery.partition,
                delivery.offset,
            )
        for event_id, reason in report.failed:
            ready[event_id][2].reasons = [f"broker không xác nhận (not confirmed by the broker): {reason}"]
    return outcomes


def _stored(engine: Engine, event_ids: list[str]) -> set[str]:
    if not event_ids:
        return set()
    with engine.connect() as connection:
        query = select(CaseEventRow.event_id).where(CaseEventRow.event_id.in_(event_ids))
        return {row.event_id for row in connection.execute(query)}
