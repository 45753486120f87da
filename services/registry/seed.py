"""Seed the registry with the schemas shipped in schemas/avro, so bundled ids mean the same everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterable

import structlog
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from schemas.catalog import ENVELOPE_RECORD, SchemaCatalog
from schemas.schema_text import schema_fingerprint
from services.registry import store
from services.settings import AGENCY_CODES, Settings

logger = structlog.get_logger()
_ATTEMPTS = 5  # processes starting together (API, materializer) may seed at the same moment


def agency_subjects(settings: Settings) -> list[str]:
    """The value subject of every agency topic (Confluent's TopicNameStrategy: `<topic>-value`)."""
    return [f"{settings.agency_topic(agency)}-value" for agency in AGENCY_CODES]


def alert_subjects(settings: Settings) -> list[str]:
    """The value subject of every agency's alerts topic."""
    return [f"{settings.alerts_topic_of(agency)}-value" for agency in AGENCY_CODES]


def seed_bundled_schemas(
    engine: Engine, catalog: SchemaCatalog, subjects: Iterable[str], record: str = ENVELOPE_RECORD
) -> None:
    """Bundled schemas under their catalog ids, the versions of `record` under each subject; idempotent."""
    subjects = list(subjects)
    for attempt in range(_ATTEMPTS):
        try:
            with engine.begin() as connection:
                _seed(connection, catalog, subjects, record)
            return
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise


def _seed(connection: Connection, catalog: SchemaCatalog, subjects: list[str], record: str) -> None:
    for bundled in catalog.versions():
        fingerprint = schema_fingerprint(json.loads(bundled.text))
        store.add_bundled_schema(connection, bundled.schema_id, fingerprint, bundled.text)
        if store.schema_fingerprint(connection, bundled.schema_id) != fingerprint:
            logger.warning("bundled_schema_differs_from_registry", schema_id=bundled.schema_id)
    envelopes = sorted((v for v in catalog.versions() if v.record == record), key=lambda v: v.version)
    for subject in subjects:
        held = {v.schema_id for v in store.subject_versions(connection, subject)}
        for bundled in envelopes:
            if bundled.schema_id not in held:
                store.add_subject_version(connection, subject, bundled.schema_id)
