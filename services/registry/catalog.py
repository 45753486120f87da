"""A SchemaCatalog over the hub's OWN registry tables, the consumers' default: a schema an agency
registered with the hub decodes without any extra setting.

With no CASEHUB_SCHEMA_REGISTRY_URL the consumers used to know the bundled schemas only, so a
compatible v3 registered in the hub's registry made every v3 event a dead letter. Ids are looked up in
the store the consumer already writes to (no HTTP hop to our own API); a found schema is cached for the
life of the catalog (a registered id never changes meaning), an unknown one is asked again next time.
"""

from __future__ import annotations

import threading

from fastavro import parse_schema
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from schemas.catalog import SchemaCatalog, SchemaVersion, bundled_catalog
from schemas.errors import DecodeError, InvalidSchemaError, UnknownSchemaError
from schemas.outages import RegistryUnavailable
from schemas.registry_client import record_name
from schemas.schema_text import parse_schema_text
from services.registry.store import schema_text


class StoreRegistryCatalog(SchemaCatalog):
    def __init__(self, engine: Engine, bundled: SchemaCatalog | None = None) -> None:
        super().__init__((bundled or bundled_catalog()).versions())
        self.engine = engine
        self._fetched: dict[int, SchemaVersion] = {}
        self._lock = threading.Lock()

    def by_id(self, schema_id: int) -> SchemaVersion:
        try:
            return super().by_id(schema_id)
        except UnknownSchemaError:
            pass
        with self._lock:
            if schema_id not in self._fetched:
                self._fetched[schema_id] = self._load(schema_id)
            return self._fetched[schema_id]

    def _load(self, schema_id: int) -> SchemaVersion:
        try:
            with self.engine.connect() as connection:
                text = schema_text(connection, schema_id)
        except (OperationalError, InterfaceError) as exc:  # an outage: wait, do not blame the message
            reason = str(exc.orig or exc).strip().splitlines()
            raise RegistryUnavailable(f"hub registry unreadable: {reason[0] if reason else exc}") from exc
        if text is None:  # worded as the bundled catalog words it: a rebuild must store the same reason
            raise UnknownSchemaError(f"unknown schema id {schema_id}")
        try:
            schema = parse_schema_text(text)
        except (ValueError, InvalidSchemaError) as exc:
            raise DecodeError(
                f"schema id {schema_id} in the hub's registry is not a usable Avro schema"
            ) from exc
        return SchemaVersion(schema_id, record_name(schema), 0, text, parse_schema(schema))
