"""The registry's rules: ids shared by subjects, numbered versions per subject, compatibility on register."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from schemas.compatibility import CompatibilityLevel, CompatibilityResult, check_compatibility
from schemas.errors import InvalidSchemaError
from schemas.schema_text import parse_schema_text, schema_fingerprint
from services.ascii_number import ascii_number
from services.registry import store
from services.registry.errors import (
    IncompatibleSchema,
    InvalidCompatibilityLevel,
    InvalidSchema,
    InvalidVersion,
    SchemaNotFound,
    SubjectConfigNotFound,
    SubjectNotFound,
    VersionNotFound,
)
from services.store.registry_tables import GLOBAL_CONFIG

DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD_TRANSITIVE
_ATTEMPTS = 10  # concurrent registrations race for the next id/version; the loser retries


@dataclass(frozen=True)
class RegisteredSchema:
    subject: str
    version: int
    schema_id: int
    schema: str


class SchemaRegistry:
    """Confluent's registry semantics over the hub's store; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def subjects(self) -> list[str]:
        with self.engine.connect() as connection:
            return store.subjects(connection)

    def versions(self, subject: str) -> list[int]:
        with self.engine.connect() as connection:
            return [v.version for v in _existing(connection, subject)]

    def version(self, subject: str, version: str) -> RegisteredSchema:
        """A subject's version by number, or its newest for `latest` / -1."""
        with self.engine.connect() as connection:
            return _registered(_chosen(_existing(connection, subject), subject, version))

    def schema(self, schema_id: int) -> str:
        with self.engine.connect() as connection:
            text = store.schema_text(connection, schema_id)
        if text is None:
            raise SchemaNotFound(f"Schema {schema_id} not found")
        return text

    def usages(self, schema_id: int) -> list[tuple[str, int]]:
        """The (subject, version) pairs holding a schema id."""
        self.schema(schema_id)
        with self.engine.connect() as connection:
            return store.schema_usages(connection, schema_id)

    def lookup(self, subject: str, text: str) -> RegisteredSchema:
        """Is this schema (by canonical form) already a version of the subject?"""
        fingerprint = schema_fingerprint(_parse(text))
        with self.engine.connect() as connection:
            existing = _existing(connection, subject)
        match = next((v for v in existing if v.fingerprint == fingerprint), None)
        if match is None:
            raise SchemaNotFound(f"Schema not found under subject {subject!r}")
        return _registered(match)

    def register(self, subject: str, text: str) -> int:
        """The schema's id, adding it as the subject's next version when new and compatible."""
        schema = _parse(text)
        for attempt in range(_ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    return _register(connection, subject, text, schema)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def check(self, subject: str, text: str, version: str = "latest") -> CompatibilityResult:
        """Would the schema be accepted? Against one version, or per the subject's level for `latest`."""
        schema = _parse(text)
        with self.engine.connect() as connection:
            existing = _existing(connection, subject)
            level = _level(connection, subject)
        previous = existing if _number(version) is None else [_chosen(existing, subject, version)]
        return check_compatibility(level, schema, _history(previous))

    def compatibility(
        self, subject: str | None = None, default_to_global: bool = False
    ) -> CompatibilityLevel:
        with self.engine.connect() as connection:
            if subject is None:
                return _level(connection, GLOBAL_CONFIG)
            if store.compatibility(connection, subject) is None and not default_to_global:
                raise SubjectConfigNotFound(
                    f"Subject {subject!r} does not have subject-level compatibility configured"
                )
            return _level(connection, subject)

    def set_compatibility(self, level: str, subject: str | None = None) -> CompatibilityLevel:
        try:
            parsed = CompatibilityLevel(level)
        except ValueError:
            raise InvalidCompatibilityLevel(f"Invalid compatibility level {level!r}") from None
        with self.engine.begin() as connection:
            store.set_compatibility(connection, GLOBAL_CONFIG if subject is None else subject, parsed.value)
        return parsed

    def delete_compatibility(self, subject: str) -> CompatibilityLevel:
        """Drop a subject's own level (it follows the global one again); returns the level it had."""
        level = self.compatibility(subject)
        with self.engine.begin() as connection:
            store.delete_compatibility(connection, subject)
        return level


def _register(connection: Connection, subject: str, text: str, schema: object) -> int:
    fingerprint = schema_fingerprint(schema)
    existing = store.subject_versions(connection, subject)
    if same := next((v for v in existing if v.fingerprint == fingerprint), None):
        return same.schema_id
    level = _level(connection, subject)
    result = check_compatibility(level, schema, _history(existing))
    if not result.is_compatible:
        raise IncompatibleSchema(
            f"Schema being registered is incompatible with an earlier schema for subject {subject!r} "
            f"({level.value}): " + "; ".join(result.messages)
        )
    schema_id = store.schema_id_of(connection, fingerprint) or store.add_registered_schema(
        connection, fingerprint, text
    )
    store.add_subject_version(connection, subject, schema_id)
    return schema_id


def _parse(text: str) -> object:
    try:
        return parse_schema_text(text)
    except InvalidSchemaError as exc:
        raise InvalidSchema(f"Invalid schema: {exc}") from exc


def _existing(connection: Connection, subject: str) -> list[store.SubjectVersion]:
    found = store.subject_versions(connection, subject)
    if not found:
        raise SubjectNotFound(f"Subject {subject!r} not found")
    return found


def _level(connection: Connection, subject: str) -> CompatibilityLevel:
    """The subject's level, else the global one, else BACKWARD_TRANSITIVE."""
    level = store.compatibility(connection, subject) or store.compatibility(connection, GLOBAL_CONFIG)
    return CompatibilityLevel(level) if level else DEFAULT_COMPATIBILITY


def _number(version: str) -> int | None:
    """A version number, or None for the newest (`latest` or -1)."""
    if version in ("latest", "-1"):
        return None
    number = ascii_number(version, digits=10)
    if number is None or not 1 <= number <= 2**31 - 1:
        raise InvalidVersion(f"The specified version {version!r} is not a valid version id")
    return number


def _chosen(existing: list[store.SubjectVersion], subject: str, version: str) -> store.SubjectVersion:
    number = _number(version)
    if number is None:
        return existing[-1]
    match = next((v for v in existing if v.version == number), None)
    if match is None:
        raise VersionNotFound(f"Version {version} not found for subject {subject!r}")
    return match


def _history(versions: list[store.SubjectVersion]) -> list[tuple[int, object]]:
    return [(v.version, json.loads(v.schema_text)) for v in versions]


def _registered(version: store.SubjectVersion) -> RegisteredSchema:
    return RegisteredSchema(version.subject, version.version, version.schema_id, version.schema_text)
