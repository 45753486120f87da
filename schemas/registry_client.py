"""A SchemaCatalog backed by a Confluent-compatible schema registry: schemas others registered decode too."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import quote

import httpx
from fastavro import parse_schema
from pydantic import SecretStr

from schemas.catalog import SchemaCatalog, SchemaVersion, bundled_catalog
from schemas.errors import DecodeError, InvalidSchemaError, SchemaRejected, UnknownSchemaError
from schemas.outages import RegistryUnavailable
from schemas.schema_text import parse_schema_text

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryCatalog(SchemaCatalog):
    """Bundled schemas locally (their ids are the registry's by seeding), any other id by GET /schemas/ids.

    The writer schema stays the bundled latest; fetched schemas are cached for the life of the catalog
    because a registered id never changes meaning.
    """

    def __init__(
        self,
        url: str,
        bundled: SchemaCatalog | None = None,
        timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        token: SecretStr | None = None,
    ) -> None:
        """`token` is the hub principal's API token, sent as a bearer credential (the hub's registry answers
        no anonymous caller; registering needs a schema steward's)."""
        super().__init__((bundled or bundled_catalog()).versions())
        self.url = url.rstrip("/")
        headers = {"Accept": MEDIA_TYPE}
        if token is not None and token.get_secret_value():
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout_s,
            headers=headers,
            transport=transport or httpx.HTTPTransport(retries=2),
        )
        self._fetched: dict[int, SchemaVersion] = {}
        self._lock = threading.Lock()

    def by_id(self, schema_id: int) -> SchemaVersion:
        try:
            return super().by_id(schema_id)
        except UnknownSchemaError:
            pass
        with self._lock:
            if schema_id not in self._fetched:
                self._fetched[schema_id] = self._fetch(schema_id)
            return self._fetched[schema_id]

    def register(self, subject: str, text: str) -> int:
        """Register a schema under a subject (POST /subjects/{s}/versions); its id, new or existing."""
        try:
            response = self._http.post(
                f"/subjects/{quote(subject, safe='')}/versions",
                content=json.dumps({"schema": text, "schemaType": "AVRO"}),
                headers={"Content-Type": MEDIA_TYPE},
            )
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(
                f"schema registry {self.url} did not answer: {type(exc).__name__}"
            ) from exc
        if response.status_code in (409, 422):
            raise SchemaRejected(f"{subject}: {_reason(response)}")
        if response.status_code in (401, 403):
            raise SchemaRejected(f"{subject}: the registry refused the credential: {_reason(response)}")
        if response.status_code != 200:
            raise RegistryUnavailable(f"schema registry {self.url} answered HTTP {response.status_code}")
        return int(response.json()["id"])

    def close(self) -> None:
        self._http.close()

    def _fetch(self, schema_id: int) -> SchemaVersion:
        try:
            response = self._http.get(f"/schemas/ids/{schema_id}")
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(
                f"schema registry {self.url} did not answer: {type(exc).__name__}"
            ) from exc
        if response.status_code == 404:
            raise UnknownSchemaError(f"unknown schema id {schema_id} (not in registry {self.url})")
        if response.status_code in (
            401,
            403,
        ):  # waited out like an outage: a fixed token fixes it, no data lost
            raise RegistryUnavailable(
                f"schema registry {self.url} refused the credential (HTTP {response.status_code}); "
                "set CASEHUB_SCHEMA_REGISTRY_TOKEN"
            )
        if response.status_code != 200:
            raise RegistryUnavailable(f"schema registry {self.url} answered HTTP {response.status_code}")
        try:
            text = str(response.json()["schema"])
            schema = parse_schema_text(text)
        except (ValueError, KeyError, InvalidSchemaError) as exc:
            raise DecodeError(f"schema id {schema_id} from {self.url} is not a usable Avro schema") from exc
        return SchemaVersion(
            schema_id=schema_id,
            record=record_name(schema),
            version=0,
            text=text,
            parsed=parse_schema(schema),
        )


def _reason(response: httpx.Response) -> str:
    """The registry's message from a Confluent error body, else the raw text."""
    try:
        return str(response.json()["message"])
    except (ValueError, KeyError, TypeError):
        return response.text


def record_name(schema: Any) -> str:
    """The full name of a registered schema's top record ('' when it is not a named type)."""
    if isinstance(schema, dict) and "name" in schema:
        name = str(schema["name"])
        namespace = schema.get("namespace")
        return f"{namespace}.{name}" if namespace and "." not in name else name
    return ""
