"""Tables of access control and audit: who may read (principals and their API tokens) and who did (audit log).

The audit log is append-only: the migration installs triggers that refuse UPDATE and DELETE, and each row
carries the SHA-256 of its predecessor, so a removed or altered row breaks the chain (X-Road's message log).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.code_list import CodeList
from services.store.tables import Base


class PrincipalRow(Base):
    """Someone who reads the hub: an agency, a role and the provinces they work on ('' = everywhere)."""

    __tablename__ = "principals"

    principal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    provinces: Mapped[tuple[str, ...]] = mapped_column(CodeList(400), doc="Current province codes; () = all.")
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class ApiTokenRow(Base):
    """A bearer token of a principal, kept only as its SHA-256 so a leaked table reveals no token."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64), ForeignKey("principals.principal_id"), index=True)
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSessionRow(Base):
    """A signed-in browser: the SHA-256 of the random id its cookie holds (never the API token)."""

    __tablename__ = "web_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64), ForeignKey("principals.principal_id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """One read or export (or a refused attempt): who, which endpoint, with which filters, how many rows."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    principal_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agency: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8))
    endpoint: Mapped[str] = mapped_column(String(200), index=True)
    resource: Mapped[str | None] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]]
    rows_returned: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
