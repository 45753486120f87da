"""SQLAlchemy 2.x tables of the shared store. The event log is immutable; the rest are projections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, LargeBinary, String, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.store.code_list import CodeList


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back time-zone aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")


def id_text(length: int | None) -> String:
    """An id or lookup-key column (event, case, subject; an identifier's keys): only ever compared for
    equality or id order, so byte by byte, `COLLATE "C"` on PostgreSQL (migration 0021 says why); SQLite
    compares text that way already and knows no collation named "C"."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UtcDateTime,
        dict[str, Any]: Json,
        int: BigInteger,
    }


class CaseEventRow(Base):
    """The decoded log: one row per event id, with where it was read from."""

    __tablename__ = "case_events"

    event_id: Mapped[str] = mapped_column(id_text(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(id_text(64), index=True)
    event_type: Mapped[str] = mapped_column(String(48))
    agency: Mapped[str] = mapped_column(String(16))
    reporting_unit: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    producer: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[int] = mapped_column(Integer)
    distribution: Mapped[dict[str, Any]]
    embargo_until: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="json, not jsonb, on PostgreSQL: only ever read whole (migration 0018)."
    )
    source_topic: Mapped[str] = mapped_column(String(249))
    source_partition: Mapped[int] = mapped_column(Integer)
    source_offset: Mapped[int]
    materialized_at: Mapped[datetime]


class CaseRow(Base):
    """One shared record per case, folded from all agencies' events."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_province_first_event", "current_province_code", "first_event_at"),)

    case_id: Mapped[str] = mapped_column(id_text(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str] = mapped_column(String(32), server_default="none", doc="Furthest stage reached.")
    title: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str | None] = mapped_column(String(16))
    opened_at: Mapped[datetime | None]  # no index: no query reads it (migration 0017)
    origin_event_id: Mapped[str | None] = mapped_column(
        String(36), doc="The opening (or tip) that describes the case."
    )
    origin_event_type: Mapped[str | None] = mapped_column(String(48))
    agencies: Mapped[tuple[str, ...]] = mapped_column(
        CodeList(200), doc="Agency codes (services/store/code_list.py)."
    )
    province_code: Mapped[str | None] = mapped_column(String(8), index=True)
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str | None] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(64))
    goods: Mapped[str | None] = mapped_column(Text)
    total_fines_vnd: Mapped[int]
    goods_value_vnd: Mapped[int] = mapped_column(
        server_default="0", doc="Sum of seized goods' declared values."
    )
    current_province_code: Mapped[str | None] = mapped_column(
        String(8), doc="34-unit successor (indexed by ix_cases_province_first_event, migration 0008)."
    )
    bucket: Mapped[str | None] = mapped_column(String(32), index=True, doc="BCĐ 389 reporting bucket.")
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    closing_event_id: Mapped[str | None] = mapped_column(String(36))
    event_count: Mapped[int] = mapped_column(Integer)
    first_event_at: Mapped[datetime]
    last_event_at: Mapped[datetime] = mapped_column(index=True)


class ConsumerOffsetRow(Base):
    """Next offset per consumer group and partition, written in the same transaction as the rows."""

    __tablename__ = "consumer_offsets"

    consumer_group: Mapped[str] = mapped_column(String(249), primary_key=True)
    topic: Mapped[str] = mapped_column(String(249), primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_offset: Mapped[int]
    updated_at: Mapped[datetime]


class DeadLetterRow(Base):
    """A record that could not be decoded or validated, kept with its reason and raw bytes."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("ux_dead_letters_source", "consumer_group", "topic", "partition", "offset", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    consumer_group: Mapped[str] = mapped_column(String(249))
    topic: Mapped[str] = mapped_column(String(249))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int]
    error_class: Mapped[str] = mapped_column(String(64))
    error_message: Mapped[str] = mapped_column(Text)
    key: Mapped[bytes | None] = mapped_column(LargeBinary)
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    replay_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_replay_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(
        doc="Set when a replay turned the record into an event."
    )
    resolved_event_id: Mapped[str | None] = mapped_column(String(36))
