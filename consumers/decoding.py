"""Records → events or dead letters: decode, validate against the contract, check the topic's agency."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from consumers.clock import utcnow
from consumers.damaged_batches import DamagedBatch, DamagedRecordBatch
from consumers.event_content import CHANGED_DUPLICATE, same_content
from consumers.event_types.registry import forget_payloads, remember_payload
from consumers.projections import stored_event
from consumers.records import DeadLetter, StoredEvent, TopicPartitionOffset
from consumers.source import InboundRecord
from consumers.store_errors import StoreRejected
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError, ContractViolation
from schemas.outages import ServiceUnavailable
from schemas.timeliness import check_event_time
from schemas.validation import check_event

logger = structlog.get_logger()


@dataclass(frozen=True)
class DecodedBatch:
    events: list[StoredEvent]
    dead_letters: list[DeadLetter]
    next_offsets: list[TopicPartitionOffset]

    def without(self, event_ids: set[str], letters: list[DeadLetter]) -> DecodedBatch:
        """The batch with these events taken out and their dead letters added (offsets unchanged)."""
        kept = [e for e in self.events if e.event_id not in event_ids]
        return DecodedBatch(kept, [*self.dead_letters, *letters], self.next_offsets)


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
        self._past = _EPOCH
        """A moment already past (when the current batch began): a Kafka timestamp before it is no later
        than now, so `_received_at` need not ask the clock (`decode` sets it once a batch)."""

    def decode(self, records: Sequence[InboundRecord]) -> DecodedBatch:
        """Good records become events (first per event id), bad ones dead letters; offsets pass all."""
        events: dict[str, StoredEvent] = {}
        dead: list[DeadLetter] = []
        next_offsets: dict[tuple[str, int], int] = {}
        self._past = utcnow()
        for record in records:
            position = (record.topic, record.partition)
            if record.__class__ is DamagedBatch:  # set aside whole: the partition goes on past it
                next_offsets[position] = max(next_offsets.get(position, 0), record.next_offset)
                dead.append(self.dead_letter(record, DamagedRecordBatch(record.reason)))
                continue
            following = record.offset + 1
            if following > next_offsets.get(position, 0):  # max() without its call: ~0.1 µs a record
                next_offsets[position] = following
            try:
                event = self.decode_record(record)
            except ServiceUnavailable:
                raise  # the record is fine; the materializer waits for the service and retries
            except CasehubError as exc:
                dead.append(self.dead_letter(record, exc))
                continue
            first = events.setdefault(event.event_id, event)
            if first is not event and not same_content(first, event):
                dead.append(self.dead_letter(record, ContractViolation(CHANGED_DUPLICATE)))
        offsets = [TopicPartitionOffset(t, p, o) for (t, p), o in sorted(next_offsets.items())]
        return DecodedBatch(list(events.values()), dead, offsets)

    def decode_record(self, record: InboundRecord) -> StoredEvent:
        """One record as an event, or CasehubError with the reason it cannot be accepted."""
        if record.value is None:
            raise ContractViolation("message has no value (tombstone) on a case topic")
        accepted = self.codec.decode_accepted(record.value)  # the fast path, or None: decode judges
        event = accepted.event if accepted is not None else self.codec.decode(record.value)
        check_event(event)
        expected = self.topic_agency(record.topic)
        if expected is not None and event.agency != expected:
            raise ContractViolation(
                f"agency {event.agency!r} may not publish on {record.topic} ({expected}'s topic)"
            )
        check_event_time(event, _received_at(record, self._past))
        if record.key != event.case_id.encode():
            raise ContractViolation(_key_problem(record.key, event.case_id))
        stored = stored_event(event, record.topic, record.partition, record.offset, accepted)
        remember_payload(stored, event.payload)  # the fold reads it instead of validating it again
        return stored

    def batch_done(self) -> None:
        """The batch's events are stored: the fold no longer needs their remembered payloads."""
        forget_payloads()

    def refused_letters(
        self, records: Sequence[InboundRecord], events: Sequence[StoredEvent], refused: dict[str, str]
    ) -> list[DeadLetter]:
        """Dead letters of the events the store refused, each with the record it was read from."""
        by_position = {(r.topic, r.partition, r.offset): r for r in records}
        return [
            self.dead_letter(
                by_position[(e.source_topic, e.source_partition, e.source_offset)],
                StoreRejected(refused[e.event_id]),
            )
            for e in events
            if e.event_id in refused
        ]

    def dead_letter(self, record: InboundRecord, exc: CasehubError) -> DeadLetter:
        """The record kept whole with the reason; the reason cleaned, as it may quote the bad value."""
        logger.warning(
            "dead_letter",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error_class=type(exc).__name__,
            reason=printable_reason(str(exc)),
        )
        return DeadLetter(
            consumer_group=self.group,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error_class=type(exc).__name__,
            error_message=printable_reason(str(exc)),
            key=record.key,
            value=record.value,
            created_at=utcnow(),
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MS = int((datetime(9999, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) * 1000
"""Kafka timestamps are any 64-bit number a producer sets; from this one on a datetime cannot hold them."""


def _received_at(record: InboundRecord, past: datetime = _EPOCH) -> datetime:
    """The record's Kafka timestamp, but never later than now (a sender's clock cannot excuse itself).

    Exact milliseconds added to the epoch (positional timedelta: ~2x cheaper than `fromtimestamp` of a
    float, and exact): a timestamp past what a datetime holds is later than now, so it is now, not a
    ValueError that would stop the whole batch. A timestamp no later than `past`, a moment already gone,
    is no later than now either: it is taken without reading the clock (~0.5 µs an event, nearly every
    record)."""
    ms = record.timestamp_ms
    if ms <= 0 or ms >= _LAST_MS:
        return utcnow()
    sent = _EPOCH + timedelta(0, 0, 0, ms)
    if sent <= past:
        return sent
    return min(sent, utcnow())


def _key_problem(key: bytes | None, case_id: str) -> str:
    if key is None:
        return f"message has no key: key every event by its case id ({case_id!r}) so a case stays in order"
    return f"message key {key[:80]!r} is not the case id {case_id!r}: key every event by its case id"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REASON_MAX = 2_000


def printable_reason(reason: str) -> str:
    """A reason fit for any store and any log line: control characters shown as escapes, bounded."""
    cleaned = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", reason)
    return cleaned if len(cleaned) <= _REASON_MAX else cleaned[: _REASON_MAX - 1] + "…"
