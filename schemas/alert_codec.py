"""Alerts to Confluent-framed Avro and back (schema of the catalog's vn.casehub.Alert), errors wrapped."""

from __future__ import annotations

import io
from typing import Any

import pydantic
from fastavro import schemaless_reader, schemaless_writer

from schemas.alerts import ALERT_RECORD, Alert
from schemas.catalog import SchemaCatalog, bundled_catalog
from schemas.errors import ContractViolation, DecodeError, SerializationError
from schemas.wire import frame, unframe


class AlertCodec:
    """Writes the latest Alert version; reads any version of it the catalog knows."""

    def __init__(self, catalog: SchemaCatalog | None = None) -> None:
        self.catalog = catalog or bundled_catalog()
        self._writer = self.catalog.latest(ALERT_RECORD)

    def encode(self, alert: Alert) -> bytes:
        buffer = io.BytesIO()
        datum = alert.model_dump(mode="python")
        datum["alert_id"] = str(alert.alert_id)
        try:
            schemaless_writer(buffer, self._writer.parsed, datum)
        except (ValueError, TypeError, KeyError) as exc:
            raise SerializationError(f"cannot encode alert {alert.alert_id}: {exc}") from exc
        return frame(self._writer.schema_id, buffer.getvalue())

    def decode(self, data: bytes) -> Alert:
        schema_id, body = unframe(data)
        writer = self.catalog.by_id(schema_id)
        if writer.record != ALERT_RECORD:
            raise DecodeError(f"schema id {schema_id} is {writer.record}, not an alert")
        reader = self._writer.parsed if writer.schema_id != self._writer.schema_id else None
        try:
            datum: Any = schemaless_reader(io.BytesIO(body), writer.parsed, reader)
        except Exception as exc:  # fastavro raises many types for a bad body
            raise DecodeError(
                f"Avro body does not match schema id {schema_id}: {type(exc).__name__}"
            ) from exc
        try:
            return Alert.model_validate(datum)
        except pydantic.ValidationError as exc:
            raise ContractViolation(str(exc.errors()[0]["msg"])) from exc
