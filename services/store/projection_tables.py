"""Projection tables built from the event log: one row per event (or per seized item), plus subjects.

Per-event rows are immutable and keyed by event id, so writing them is idempotent and the result does
not depend on the order events arrive in. `subjects` is refolded from `subject_observations`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.code_list import CodeList
from services.store.tables import Base, Json, id_text


class CaseEventBase(Base):
    """Columns every per-event projection row carries."""

    __abstract__ = True

    event_id: Mapped[str] = mapped_column(id_text(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))  # not indexed: no query reads these by case (0017)
    agency: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]


class PenaltyRow(CaseEventBase):
    __tablename__ = "penalties"

    decision_number: Mapped[str] = mapped_column(Text)
    fine_vnd: Mapped[int]
    subject_id: Mapped[str | None] = mapped_column(String(128))
    instrument: Mapped[str | None] = mapped_column(String(64))
    article: Mapped[str | None] = mapped_column(String(8))
    clause: Mapped[str | None] = mapped_column(String(8))


class SeizureRow(CaseEventBase):
    __tablename__ = "seizures"

    item_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(32))
    value_vnd: Mapped[int | None]
    handling: Mapped[str] = mapped_column(String(32))


class ViolationRow(CaseEventBase):
    __tablename__ = "violations"

    category: Mapped[str] = mapped_column(String(64))
    instrument: Mapped[str] = mapped_column(String(64))
    article: Mapped[str] = mapped_column(String(8))
    clause: Mapped[str | None] = mapped_column(String(8))
    subject_id: Mapped[str | None] = mapped_column(String(128))


class InspectionRow(CaseEventBase):
    __tablename__ = "inspections"

    kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[str | None] = mapped_column(String(8))
    subject_id: Mapped[str | None] = mapped_column(String(128))


class ReferralRow(CaseEventBase):
    __tablename__ = "referrals"

    to_agency: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str | None] = mapped_column(Text)


class ReactionRow(CaseEventBase):
    __tablename__ = "reactions"

    reacting_agency: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    refers_to_event_id: Mapped[str | None] = mapped_column(id_text(36), index=True)


class TakedownRow(CaseEventBase):
    __tablename__ = "takedowns"

    stage: Mapped[str] = mapped_column(String(16), doc="requested or completed")
    platform: Mapped[str] = mapped_column(String(32))
    request_reference: Mapped[str] = mapped_column(Text)
    listing_urls: Mapped[Any] = mapped_column(Json)
    outcome: Mapped[str | None] = mapped_column(String(32))


class TipRow(CaseEventBase):
    """A hotline tip; the reporter is known only by a keyed hash."""

    __tablename__ = "tips"

    received_via: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(32))
    province_code: Mapped[str | None] = mapped_column(String(8))
    suspected_category: Mapped[str | None] = mapped_column(String(64))


class SubjectObservationRow(CaseEventBase):
    """One agency's sighting of a seller in a case, as published."""

    __tablename__ = "subject_observations"

    subject_id: Mapped[str] = mapped_column(id_text(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(32))
    province_code: Mapped[str | None] = mapped_column(String(8))


class SubjectIdentifierRow(Base):
    """An identifier seen for a subject (phone, tax code, shop URL, keyed hashes, ...); which events saw it
    is in subject_observations, so the row itself does not depend on arrival order. The seller search
    finds it by its keys (schemas/normalisation/identifier_keys.py, migration 0023)."""

    __tablename__ = "subject_identifiers"
    __table_args__ = (
        Index("ix_subject_identifiers_match_key", "match_key"),
        Index("ix_subject_identifiers_loose_key", "loose_key"),
    )

    subject_id: Mapped[str] = mapped_column(id_text(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    match_key: Mapped[str | None] = mapped_column(id_text(None), doc="the linker's key: 'kind:value'")
    loose_key: Mapped[str | None] = mapped_column(id_text(None), doc="'kind:canonical spelling'")


class SubjectRow(Base):
    """One shared record per subject, folded from every agency's observations."""

    __tablename__ = "subjects"

    subject_id: Mapped[str] = mapped_column(id_text(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(Text)
    platforms: Mapped[tuple[str, ...]] = mapped_column(CodeList(200))
    agencies: Mapped[tuple[str, ...]] = mapped_column(CodeList(200))
    case_count: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


PER_EVENT = frozenset(
    {
        "penalties",
        "seizures",
        "violations",
        "inspections",
        "referrals",
        "reactions",
        "takedowns",
        "tips",
        "subject_observations",
        "subject_identifiers",
    }
)
