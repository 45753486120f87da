"""The transactional outbox: an agency records an event in its own database, in the business transaction.

The event row commits or rolls back with the business change, so no event is published for a change
that did not happen and none is lost for one that did. The relay (producers/outbox_relay.py) sends
pending rows in sequence order and marks them sent only after the broker confirmed them.

The table lives in the agency's database, not the hub's, so it has its own small metadata here:
call `create_outbox_table(engine)` once (or copy OUTBOX into the agency's own migrations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from pydantic import ValidationError
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from producers.publisher import checked_wire_bytes
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from schemas.validation_messages import vietnamese_errors

OUTBOX_METADATA = MetaData()
OUTBOX = Table(
    "casehub_outbox",
    OUTBOX_METADATA,
    Column("sequence", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False),
    Column("agency", String(16), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("event_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("rejected_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_casehub_outbox_pending", "sent_at", "sequence"),
)


@dataclass(frozen=True)
class OutboxRow:
    """A pending event as the relay reads it."""

    sequence: int
    event: CaseEvent


def create_outbox_table(engine: Engine) -> None:
    """Create the outbox table if it is missing (idempotent)."""
    OUTBOX_METADATA.create_all(engine, tables=[OUTBOX])


def add_to_outbox(connection: Connection | Session, event: CaseEvent) -> None:
    """Record an event in the caller's open transaction; EventRejected if it breaks the contract.

    Validating here, not in the relay, means a bad event fails the business transaction that made it,
    where it can still be fixed, instead of blocking the outbox later.
    """
    checked_wire_bytes(_codec(), event)
    connection.execute(
        insert(OUTBOX).values(
            event_id=str(event.event_id),
            case_id=event.case_id,
            agency=event.agency,
            event_type=event.event_type,
            event_json=event.model_dump_json(),
            created_at=datetime.now(UTC),
            attempts=0,
        )
    )


def pending_rows(connection: Connection, limit: int) -> tuple[list[OutboxRow], dict[int, str]]:
    """The oldest unsent rows, in the order they were written (so each case's events stay in order), and
    the rows among them that are no event at all, with why.

    `add_to_outbox` writes only valid events, but the table lives in the agency's database and may be
    written by the agency's own code (the module docstring invites copying it into their migrations), or
    hold rows of an older contract: one unreadable row raised out of the relay, and every restart met it
    again, so nothing behind it was ever sent. Such a row is set aside with its reason instead.
    """
    query = (
        select(OUTBOX.c.sequence, OUTBOX.c.event_json)
        .where(OUTBOX.c.sent_at.is_(None), OUTBOX.c.rejected_at.is_(None))
        .order_by(OUTBOX.c.sequence)
        .limit(limit)
    )
    rows: list[OutboxRow] = []
    unreadable: dict[int, str] = {}
    for sequence, text in connection.execute(query):
        try:
            rows.append(OutboxRow(sequence, CaseEvent.model_validate_json(text)))
        except ValidationError as exc:
            unreadable[sequence] = "not a case event: " + "; ".join(vietnamese_errors(exc)[:5])
    return rows, unreadable


def mark_sent(connection: Connection, sequences: list[int]) -> None:
    if sequences:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.sequence.in_(sequences))
            .values(sent_at=datetime.now(UTC), attempts=OUTBOX.c.attempts + 1, last_error=None)
        )


def mark_failed(connection: Connection, sequences: list[int], reason: str) -> None:
    if sequences:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.sequence.in_(sequences))
            .values(attempts=OUTBOX.c.attempts + 1, last_error=reason[:2000])
        )


def mark_rejected(connection: Connection, rejected: dict[int, str]) -> None:
    """Rows the contract refuses now (reference data changed since they were written): set aside, kept."""
    for sequence, reason in rejected.items():
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.sequence == sequence)
            .values(rejected_at=datetime.now(UTC), attempts=OUTBOX.c.attempts + 1, last_error=reason[:2000])
        )


def pending_count(connection: Connection) -> int:
    pending = (OUTBOX.c.sent_at.is_(None), OUTBOX.c.rejected_at.is_(None))
    return int(connection.execute(select(func.count()).where(*pending)).scalar_one())


@cache
def _codec() -> CaseEventCodec:
    return CaseEventCodec()
