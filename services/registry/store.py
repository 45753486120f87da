"""SQL reads and writes of the registry tables, on a connection the caller's transaction owns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, delete, func, select

from consumers.clock import utcnow
from services.store.registry_tables import (
    FIRST_REGISTERED_ID,
    RegistryConfigRow,
    RegistrySchemaRow,
    RegistrySubjectVersionRow,
)
from services.store.sql_store import _insert

SCHEMAS = cast(Table, RegistrySchemaRow.__table__)
VERSIONS = cast(Table, RegistrySubjectVersionRow.__table__)
CONFIG = cast(Table, RegistryConfigRow.__table__)


@dataclass(frozen=True)
class SubjectVersion:
    subject: str
    version: int
    schema_id: int
    schema_text: str
    fingerprint: str


def subjects(connection: Connection) -> list[str]:
    return list(connection.scalars(select(VERSIONS.c.subject).distinct().order_by(VERSIONS.c.subject)))


def subject_versions(connection: Connection, subject: str) -> list[SubjectVersion]:
    """A subject's versions, oldest first, with their schema texts."""
    query = (
        select(
            VERSIONS.c.subject,
            VERSIONS.c.version,
            VERSIONS.c.schema_id,
            SCHEMAS.c.schema_text,
            SCHEMAS.c.fingerprint,
        )
        .join(SCHEMAS, SCHEMAS.c.id == VERSIONS.c.schema_id)
        .where(VERSIONS.c.subject == subject)
        .order_by(VERSIONS.c.version)
    )
    return [SubjectVersion(*row) for row in connection.execute(query)]


def schema_text(connection: Connection, schema_id: int) -> str | None:
    return connection.scalar(select(SCHEMAS.c.schema_text).where(SCHEMAS.c.id == schema_id))


def schema_fingerprint(connection: Connection, schema_id: int) -> str | None:
    return connection.scalar(select(SCHEMAS.c.fingerprint).where(SCHEMAS.c.id == schema_id))


def schema_usages(connection: Connection, schema_id: int) -> list[tuple[str, int]]:
    """(subject, version) pairs that hold a schema id."""
    query = (
        select(VERSIONS.c.subject, VERSIONS.c.version)
        .where(VERSIONS.c.schema_id == schema_id)
        .order_by(VERSIONS.c.subject, VERSIONS.c.version)
    )
    return [(row.subject, row.version) for row in connection.execute(query)]


def schema_id_of(connection: Connection, fingerprint: str) -> int | None:
    """The id of a schema already stored; the lowest when a bundled and a registered copy both exist."""
    return connection.scalar(select(func.min(SCHEMAS.c.id)).where(SCHEMAS.c.fingerprint == fingerprint))


def add_bundled_schema(connection: Connection, schema_id: int, fingerprint: str, text: str) -> None:
    """Store a bundled schema under its catalog id; an id already stored is left as it is."""
    statement = _insert(connection, SCHEMAS).on_conflict_do_nothing(index_elements=["id"])
    connection.execute(statement, _schema_row(schema_id, fingerprint, text))


def add_registered_schema(connection: Connection, fingerprint: str, text: str) -> int:
    """Store a client's schema under the next free id; a concurrent taker of that id makes this raise."""
    highest = connection.scalar(select(func.max(SCHEMAS.c.id))) or 0
    schema_id = max(highest + 1, FIRST_REGISTERED_ID)
    connection.execute(SCHEMAS.insert(), _schema_row(schema_id, fingerprint, text))
    return schema_id


def _schema_row(schema_id: int, fingerprint: str, text: str) -> dict[str, object]:
    return {
        "id": schema_id,
        "fingerprint": fingerprint,
        "schema_type": "AVRO",
        "schema_text": text,
        "created_at": utcnow(),
    }


def add_subject_version(connection: Connection, subject: str, schema_id: int) -> int:
    """Append a schema to a subject as its next version; returns the version number."""
    version = (
        connection.scalar(select(func.max(VERSIONS.c.version)).where(VERSIONS.c.subject == subject)) or 0
    ) + 1
    row = {"subject": subject, "version": version, "schema_id": schema_id, "created_at": utcnow()}
    connection.execute(VERSIONS.insert(), row)
    return version


def compatibility(connection: Connection, subject: str) -> str | None:
    return connection.scalar(select(CONFIG.c.compatibility).where(CONFIG.c.subject == subject))


def set_compatibility(connection: Connection, subject: str, level: str) -> None:
    statement = _insert(connection, CONFIG)
    statement = statement.on_conflict_do_update(
        index_elements=["subject"],
        set_={"compatibility": statement.excluded.compatibility, "updated_at": statement.excluded.updated_at},
    )
    connection.execute(statement, {"subject": subject, "compatibility": level, "updated_at": utcnow()})


def delete_compatibility(connection: Connection, subject: str) -> None:
    connection.execute(delete(CONFIG).where(CONFIG.c.subject == subject))
