"""Tables of entity resolution: each subject's matching keys, its seller entity, and why.

`entity_identifiers` and `entity_members` are state (a function of the events, the cap, the stop-list
and analysts' corrections: a relink rebuilds them identically); `entity_links` is the append-only
history of merges and splits, with the key and the event behind each, so a wrong merge can be explained
and undone; `entity_stoplist` and `entity_blocks` are analysts' corrections.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.tables import Base


class EntityIdentifierRow(Base):
    """A matching key carried by a subject, with the first event that brought it."""

    __tablename__ = "entity_identifiers"
    __table_args__ = (Index("ix_entity_identifiers_key", "kind", "value"),)

    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    strong: Mapped[bool] = mapped_column(Boolean)
    raw: Mapped[str] = mapped_column(Text, doc="The spelling of the first event that brought it.")
    first_event_id: Mapped[str] = mapped_column(String(36))
    first_seen_at: Mapped[datetime]


class EntityMemberRow(Base):
    """The seller entity a subject belongs to now."""

    __tablename__ = "entity_members"

    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(24), index=True)


class EntityLinkRow(Base):
    """One merge or split: which key joined (or no longer joins) which subjects, when, from which event."""

    __tablename__ = "entity_links"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(doc="When the linker decided (wall clock).")
    action: Mapped[str] = mapped_column(String(8), doc="link or unlink")
    entity_id: Mapped[str] = mapped_column(String(24), index=True, doc="The entity the subject is in after.")
    subject_id: Mapped[str] = mapped_column(String(128), index=True)
    other_subject_id: Mapped[str | None] = mapped_column(String(128), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(512))
    event_id: Mapped[str | None] = mapped_column(String(36), doc="The event that brought the linking key.")
    reason: Mapped[str] = mapped_column(Text)


class EntityStopRow(Base):
    """A key an analyst stopped at run time (the bundled stop-list file is versioned with the code)."""

    __tablename__ = "entity_stoplist"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]


class EntityBlockRow(Base):
    """One subject's key that no longer links it (a mistyped phone, a borrowed bank account)."""

    __tablename__ = "entity_blocks"

    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]


class EntityStateRow(Base):
    """The rules the entities were built with; the linker's lock row (one writer at a time)."""

    __tablename__ = "entity_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    link_cap: Mapped[int] = mapped_column(Integer)
    stoplist_version: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
