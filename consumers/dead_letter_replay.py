"""Replay kept dead letters with today's code and reference data: fixed ones become events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from consumers.damaged_batches import DamagedRecordBatch
from consumers.decoding import RecordDecoder
from consumers.ports.case_store import CaseStore
from consumers.projections import apply_events
from consumers.records import ReplayOutcome, StoredEvent
from consumers.source import InboundRecord
from schemas.errors import CasehubError

logger = structlog.get_logger()
DAMAGED_BATCH_NOT_REPLAYED = (
    "a damaged record batch from the broker's log, kept as raw bytes: no event can be decoded from it "
    "(its producers can publish its events again; their ids make a second copy harmless)"
)


@dataclass(frozen=True)
class ReplayReport:
    replayed: int
    resolved: list[ReplayOutcome]
    still_failing: list[ReplayOutcome]
    events: list[StoredEvent] = field(default_factory=list)
    """The resolved events, for what a live event also reaches beyond the store (entities, alerts)."""


def replay_dead_letters(
    store: CaseStore, decoder: RecordDecoder, ids: Sequence[int] | None = None
) -> ReplayReport:
    """Re-decode pending dead letters; resolved ones are applied like live events, in one transaction."""
    outcomes: list[ReplayOutcome] = []
    events: list[StoredEvent] = []
    for stored in store.dead_letters(pending_only=True, ids=ids):
        letter = stored.letter
        if letter.error_class == DamagedRecordBatch.__name__:  # a batch's raw bytes, not one event
            outcomes.append(
                ReplayOutcome(stored.letter_id, None, letter.error_class, DAMAGED_BATCH_NOT_REPLAYED)
            )
            continue
        record = InboundRecord(letter.topic, letter.partition, letter.offset, letter.key, letter.value)
        try:
            event = decoder.decode_record(record)
        except CasehubError as exc:
            outcomes.append(ReplayOutcome(stored.letter_id, None, type(exc).__name__, str(exc)))
            continue
        events.append(event)
        outcomes.append(ReplayOutcome(stored.letter_id, event.event_id))
    with store.transaction() as tx:
        apply_events(tx, events)
        tx.record_replays(outcomes)
    resolved = [o for o in outcomes if o.event_id is not None]
    failing = [o for o in outcomes if o.event_id is None]
    logger.info(
        "dead_letters_replayed", replayed=len(outcomes), resolved=len(resolved), still_failing=len(failing)
    )
    return ReplayReport(len(outcomes), resolved, failing, events)
