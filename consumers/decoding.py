"""Records → events or dead letters: decode, validate against the contract, check the topic's agency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from consumers.projections import stored_event
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError, ContractViolation, ServiceUnavailable
from schemas.validation import check_event
from services.store.records import DeadLetter, StoredEvent, TopicPartitionOffset
from services.store.tables import utcnow

logger = structlog.get_logger()


@dataclass(frozen=True)
class DecodedBatch:
    events: list[StoredEvent]
    dead_letters: list[DeadLetter]
    next_offsets: list[TopicPartitionOffset]


class RecordDecoder:
    """Shared by the materializer, dead-letter replay and rebuild, so all three judge records alike."""

    def __init__(
        self,
        *,
        codec: CaseEventCodec,
        group: str,
        topic_agency: Callable[[str], str | None] = lambda _t: None,
    ) -> None:
        self.codec = codec
        self.group = group
        self.topic_agency = topic_agency

    def decode(self, records: Sequence[InboundRecord]) -> DecodedBatch:
        """Good records become events (first per event id), bad ones dead letters; offsets pass all."""
        events: dict[str, StoredEvent] = {}
        dead: list[DeadLetter] = []
        next_offsets: dict[tuple[str, int], int] = {}
        for record in records:
            position = (record.topic, record.partition)
            next_offsets[position] = max(next_offsets.get(position, 0), record.offset + 1)
            try:
                event = self.decode_record(record)
            except ServiceUnavailable:
                raise  # the record is fine; the materializer waits for the service and retries
            except CasehubError as exc:
                dead.append(self.dead_letter(record, exc))
                continue
            events.setdefault(event.event_id, event)
        offsets = [TopicPartitionOffset(t, p, o) for (t, p), o in sorted(next_offsets.items())]
        return DecodedBatch(list(events.values()), dead, offsets)

    def decode_record(self, record: InboundRecord) -> StoredEvent:
        """One record as an event, or CasehubError with the reason it cannot be accepted."""
        if record.value is None:
            raise ContractViolation("message has no value (tombstone) on a case topic")
        event = self.codec.decode(record.value)
        check_event(event)
        expected = self.topic_agency(record.topic)
        if expected is not None and event.agency != expected:
            raise ContractViolation(
                f"agency {event.agency!r} may not publish on {record.topic} ({expected}'s topic)"
            )
        return stored_event(event, record.topic, record.partition, record.offset)

    def dead_letter(self, record: InboundRecord, exc: CasehubError) -> DeadLetter:
        logger.warning(
            "dead_letter",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error_class=type(exc).__name__,
            reason=str(exc),
        )
        return DeadLetter(
            consumer_group=self.group,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error_class=type(exc).__name__,
            error_message=str(exc),
            key=record.key,
            value=record.value,
            created_at=utcnow(),
        )
