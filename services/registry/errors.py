"""Registry errors carrying Confluent's error codes; the HTTP status is the code's first three digits."""

from __future__ import annotations

from typing import ClassVar

from schemas.errors import CasehubError


class RegistryError(CasehubError):
    """A request the registry refuses, with the error code Confluent clients expect."""

    error_code: ClassVar[int] = 50001

    @property
    def http_status(self) -> int:
        return self.error_code // 100


class SubjectNotFound(RegistryError):
    error_code = 40401


class VersionNotFound(RegistryError):
    error_code = 40402


class SchemaNotFound(RegistryError):
    error_code = 40403


class SubjectConfigNotFound(RegistryError):
    error_code = 40408


class IncompatibleSchema(RegistryError):
    error_code = 40901


class InvalidSchema(RegistryError):
    error_code = 42201


class InvalidVersion(RegistryError):
    error_code = 42202


class InvalidCompatibilityLevel(RegistryError):
    error_code = 42203
