"""A Confluent Schema Registry REST subset, so confluent-kafka's clients and serializers use the hub.

Same model as Confluent's: every call needs a principal (bearer token, or basic auth `<principal id>:<token>`
as `basic.auth.user.info` sends it); register and compatibility changes need the schema_steward role and are
audited, accepted or refused."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from services.access.principal import Capability
from services.api.deps import SchemaSteward, require
from services.api.request_audit import audit_of
from services.registry.errors import InvalidSchema, RegistryError, SubjectNotFound
from services.registry.prefix import PREFIX
from services.registry.service import SchemaRegistry

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSONResponse(JSONResponse):
    media_type = MEDIA_TYPE


class RegistryRoute(APIRoute):
    """Answers registry errors and malformed bodies with Confluent's `{error_code, message}` body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            audit_of(request).resource = request.path_params.get("subject")  # the row says which subject
            try:
                response = await handler(request)
            except RegistryError as exc:
                response = _error(exc.http_status, exc.error_code, str(exc))
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
                response = _error(422, InvalidSchema.error_code, f"Invalid request: {first['msg']}")
            except HTTPException as exc:  # refused by the auth dependencies
                response = _error(exc.status_code, exc.status_code * 100 + 1, str(exc.detail))
                response.headers.update(exc.headers or {})
            return response

        return answer


def _error(status: int, code: int, message: str) -> Response:
    return RegistryJSONResponse({"error_code": code, "message": message}, status_code=status)


class SchemaBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_text: str = Field(alias="schema")
    schema_type: str = Field(default="AVRO", alias="schemaType")
    references: list[dict[str, Any]] = Field(default_factory=list)

    def avro(self) -> str:
        """The schema text, refusing what this registry does not store (other types, references)."""
        if self.schema_type.upper() != "AVRO":
            raise InvalidSchema(
                f"Unsupported schema type {self.schema_type!r}: this registry stores AVRO only"
            )
        if self.references:
            raise InvalidSchema("Schema references are not supported by this registry")
        return self.schema_text


class RegistryErrorBody(BaseModel):
    """Confluent's error body: a code whose first three digits are the HTTP status, and a sentence."""

    error_code: int
    message: str


REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": RegistryErrorBody, "description": description}
    for status, description in (
        (401, "No principal (send a bearer token or basic auth)"),
        (403, "Not a schema steward"),
        (404, "No such subject, version or schema"),
        (409, "Incompatible with earlier versions"),
        (422, "Invalid schema, version or request"),
    )
}


class ConfigBody(BaseModel):
    compatibility: str


def get_registry(request: Request) -> SchemaRegistry:
    return SchemaRegistry(request.app.state.engine)


RegistryDep = Annotated[SchemaRegistry, Depends(get_registry)]
SchemaId = Annotated[int, Path(ge=0, le=2**31 - 1, description="A schema id (Confluent's are 32-bit).")]
router = APIRouter(
    prefix=PREFIX,
    tags=["schema registry"],
    route_class=RegistryRoute,
    default_response_class=RegistryJSONResponse,
    responses=REFUSALS,
    dependencies=[Depends(require(Capability.READ_SCHEMAS))],  # reads: any signed-in principal
)


@router.get("/subjects")
def list_subjects(registry: RegistryDep) -> list[str]:
    return registry.subjects()


@router.get("/subjects/{subject}/versions")
def list_versions(subject: str, registry: RegistryDep) -> list[int]:
    return registry.versions(subject)


@router.get("/subjects/{subject}/versions/{version}")
def get_version(subject: str, version: str, registry: RegistryDep) -> dict[str, Any]:
    found = registry.version(subject, version)
    return {"subject": found.subject, "version": found.version, "id": found.schema_id, "schema": found.schema}


@router.get("/subjects/{subject}/versions/{version}/schema")
def get_version_schema(subject: str, version: str, registry: RegistryDep) -> Response:
    return Response(registry.version(subject, version).schema, media_type=MEDIA_TYPE)


@router.post("/subjects/{subject}")
def lookup_schema(subject: str, body: SchemaBody, registry: RegistryDep) -> dict[str, Any]:
    found = registry.lookup(subject, body.avro())
    return {"subject": found.subject, "version": found.version, "id": found.schema_id, "schema": found.schema}


@router.post("/subjects/{subject}/versions")
def register_schema(
    subject: str, body: SchemaBody, registry: RegistryDep, _: SchemaSteward
) -> dict[str, int]:
    return {"id": registry.register(subject, body.avro())}


@router.get("/schemas/types")
def schema_types() -> list[str]:
    return ["AVRO"]


@router.get("/schemas/ids/{schema_id}")
def get_schema(schema_id: SchemaId, registry: RegistryDep) -> dict[str, str]:
    return {"schema": registry.schema(schema_id)}


@router.get("/schemas/ids/{schema_id}/versions")
def get_schema_versions(schema_id: SchemaId, registry: RegistryDep) -> list[dict[str, Any]]:
    return [{"subject": subject, "version": version} for subject, version in registry.usages(schema_id)]


@router.get("/schemas/ids/{schema_id}/subjects")
def get_schema_subjects(schema_id: SchemaId, registry: RegistryDep) -> list[str]:
    return sorted({subject for subject, _ in registry.usages(schema_id)})


@router.post("/compatibility/subjects/{subject}/versions/{version}")
def check_against_version(
    subject: str, version: str, body: SchemaBody, registry: RegistryDep
) -> dict[str, Any]:
    result = registry.check(subject, body.avro(), version)
    return {"is_compatible": result.is_compatible, "messages": list(result.messages)}


@router.post("/compatibility/subjects/{subject}/versions")
def check_against_subject(subject: str, body: SchemaBody, registry: RegistryDep) -> dict[str, Any]:
    result = registry.check(subject, body.avro())
    return {"is_compatible": result.is_compatible, "messages": list(result.messages)}


@router.get("/config")
def get_global_config(registry: RegistryDep) -> dict[str, str]:
    return {"compatibilityLevel": registry.compatibility().value}


@router.put("/config")
def put_global_config(body: ConfigBody, registry: RegistryDep, _: SchemaSteward) -> dict[str, str]:
    return {"compatibility": registry.set_compatibility(body.compatibility).value}


@router.get("/config/{subject}")
def get_subject_config(
    subject: str,
    registry: RegistryDep,
    default_to_global: Annotated[bool, Query(alias="defaultToGlobal")] = False,
) -> dict[str, str]:
    return {"compatibilityLevel": registry.compatibility(subject, default_to_global).value}


@router.put("/config/{subject}")
def put_subject_config(
    subject: str, body: ConfigBody, registry: RegistryDep, _: SchemaSteward
) -> dict[str, str]:
    return {"compatibility": registry.set_compatibility(body.compatibility, subject).value}


@router.delete("/config/{subject}")
def delete_subject_config(subject: str, registry: RegistryDep, _: SchemaSteward) -> dict[str, str]:
    return {"compatibilityLevel": registry.delete_compatibility(subject).value}


@router.get("/associations/{path:path}")
def associations(path: str) -> Response:
    """No topic-to-subject associations here: clients fall back to TopicNameStrategy (`<topic>-value`)."""
    raise SubjectNotFound(f"No associations for {path!r}; subjects follow <topic>-value")
