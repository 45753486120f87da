"""The versioned .avsc files shipped in schemas/avro and the ids the hub gives them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fastavro import parse_schema

from schemas.errors import InvalidSchemaError, UnknownSchemaError

ENVELOPE_RECORD = "vn.casehub.CaseEvent"


@dataclass(frozen=True)
class SchemaVersion:
    schema_id: int
    record: str
    version: int
    text: str
    parsed: Any


class SchemaCatalog:
    """Schema lookup by id and the current writer schema; the registry client implements the same."""

    def __init__(self, versions: list[SchemaVersion]) -> None:
        self._by_id = {v.schema_id: v for v in versions}
        self._latest = {v.record: v for v in sorted(versions, key=lambda v: v.version)}

    def by_id(self, schema_id: int) -> SchemaVersion:
        try:
            return self._by_id[schema_id]
        except KeyError:
            raise UnknownSchemaError(f"unknown schema id {schema_id}") from None

    def latest(self, record: str = ENVELOPE_RECORD) -> SchemaVersion:
        return self._latest[record]

    def versions(self) -> list[SchemaVersion]:
        return sorted(self._by_id.values(), key=lambda v: v.schema_id)


@cache
def bundled_catalog() -> SchemaCatalog:
    """The catalog of every .avsc shipped with this package, as listed in avro/catalog.json."""
    return load_catalog(resources.files(__package__).joinpath("avro"))


def catalog_manifest(folder: Traversable) -> list[dict[str, Any]]:
    """The entries of a folder's catalog.json: id, record, version and file of each schema."""
    manifest = json.loads(folder.joinpath("catalog.json").read_text(encoding="utf-8"))
    return list(manifest["schemas"])


def load_catalog(folder: Traversable) -> SchemaCatalog:
    """The catalog of the .avsc files a folder's catalog.json lists (the bundled one, or a candidate)."""
    versions = []
    for entry in catalog_manifest(folder):
        text = folder.joinpath(entry["file"]).read_text(encoding="utf-8")
        try:
            parsed = parse_schema(json.loads(text))
        except Exception as exc:  # json and fastavro raise many types for a broken file
            raise InvalidSchemaError(f"{entry['file']}: not a valid Avro schema: {exc}") from exc
        versions.append(
            SchemaVersion(
                schema_id=entry["id"],
                record=entry["record"],
                version=entry["version"],
                text=text,
                parsed=parsed,
            )
        )
    return SchemaCatalog(versions)
