"""An event's wire bytes, only if it keeps the contract: what the publisher, importer and outbox send."""

from __future__ import annotations

from datetime import UTC, datetime

from producers.errors import EventRejected
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from schemas.timeliness import check_event_time
from schemas.validation import check_event


def checked_wire_bytes(codec: CaseEventCodec, event: CaseEvent) -> bytes:
    """Validate an event against the reference rules and encode it; EventRejected says why not."""
    try:
        check_event(event)
        check_event_time(event, datetime.now(UTC))
        return codec.encode(event)
    except CasehubError as exc:
        raise EventRejected(str(event.event_id), str(exc)) from exc
