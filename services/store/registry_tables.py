"""Tables of the schema registry the hub serves: schemas by id, subjects' versions, compatibility config."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from schemas.catalog_check import BUNDLED_IDS
from services.store.tables import Base

GLOBAL_CONFIG = ""  # the subject key of the registry-wide compatibility level
FIRST_REGISTERED_ID = BUNDLED_IDS.stop  # ids below are kept for the schemas shipped in schemas/avro


class RegistrySchemaRow(Base):
    """One schema text per id; the fingerprint of its canonical form finds the id of a re-sent text.

    Among registered ids (from FIRST_REGISTERED_ID) a fingerprint is unique, so two clients sending one
    new schema at once cannot get two ids; a bundled id may share its text with one registered id.
    """

    __tablename__ = "registry_schemas"
    __table_args__ = (
        Index(
            "ux_registry_schemas_registered_fingerprint",
            "fingerprint",
            unique=True,
            postgresql_where=text(f"id >= {FIRST_REGISTERED_ID}"),
            sqlite_where=text(f"id >= {FIRST_REGISTERED_ID}"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    schema_type: Mapped[str] = mapped_column(String(16))
    schema_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class RegistrySubjectVersionRow(Base):
    """Version N of a subject is a schema id; a subject holds each schema at most once."""

    __tablename__ = "registry_subject_versions"
    __table_args__ = (Index("ux_registry_subject_schema", "subject", "schema_id", unique=True),)

    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    schema_id: Mapped[int] = mapped_column(Integer, ForeignKey("registry_schemas.id"))
    created_at: Mapped[datetime]


class RegistryConfigRow(Base):
    """Compatibility level per subject, and registry-wide under the subject key GLOBAL_CONFIG."""

    __tablename__ = "registry_config"

    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    compatibility: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
