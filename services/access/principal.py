"""A principal: an agency, a role and a province scope, however they proved who they are (token or OIDC).

Roles decide which endpoints answer; the agency decides which events are visible (services.store.queries.
visibility); the province scope narrows cases to the 34-unit provinces listed (none = the whole country).
An admin has no special sight of restricted data: data owners decide who sees it, not the hub's operators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consumers.visibility import Viewer


class Role(StrEnum):
    ANALYST = "analyst"
    AGENCY_OFFICER = "agency_officer"
    AGENCY_SYSTEM = "agency_system"  # a machine client of one agency that publishes its events over HTTP
    OPS = "ops"
    ADMIN = "admin"
    SCHEMA_STEWARD = "schema_steward"  # registers schemas, sets compatibility (Confluent's write grants)
    PUBLIC = "public"


class Capability(StrEnum):
    READ_CASES = "read_cases"  # search, case timelines, seller dossiers, statistics, hit / no-hit
    EXPORT = "export"  # bulk CSV/XLSX of case lists
    READ_AUDIT = "read_audit"
    READ_PUBLIC = "read_public"
    INGEST_EVENTS = "ingest_events"  # POST /api/ingest/events: publish the principal's agency's events
    READ_SCHEMAS = "read_schemas"  # the schema registry's reads: any signed-in principal
    WRITE_SCHEMAS = "write_schemas"  # register, delete, compatibility config: schema stewards only
    READ_OPS = "read_ops"  # consumer lag, metrics, dead letters (where from, why)
    UPLOAD_REPORTS = (
        "upload_reports"  # /uploads: a unit's report file, previewed then published as its agency
    )
    TRIAGE_TIPS = "triage_tips"  # list, assign, dismiss public tips: BCĐ 389 only


_SIGNED_IN = frozenset({Capability.READ_PUBLIC, Capability.READ_SCHEMAS})
GRANTS: dict[Role, frozenset[Capability]] = {
    Role.ANALYST: _SIGNED_IN | {Capability.READ_CASES, Capability.EXPORT, Capability.TRIAGE_TIPS},
    Role.AGENCY_OFFICER: _SIGNED_IN
    | {Capability.READ_CASES, Capability.UPLOAD_REPORTS, Capability.TRIAGE_TIPS},
    Role.AGENCY_SYSTEM: _SIGNED_IN | {Capability.INGEST_EVENTS},
    Role.OPS: _SIGNED_IN | {Capability.READ_OPS},
    Role.ADMIN: _SIGNED_IN
    | {Capability.READ_CASES, Capability.EXPORT, Capability.READ_AUDIT, Capability.READ_OPS},
    Role.SCHEMA_STEWARD: _SIGNED_IN | {Capability.WRITE_SCHEMAS},
    Role.PUBLIC: frozenset({Capability.READ_PUBLIC}),
}


PRINCIPAL_ID_MAX = 64
"""The width of the store's principal id columns (principals, tokens, sessions, audit)."""


@dataclass(frozen=True)
class Principal:
    principal_id: str
    display_name: str
    agency: str | None
    role: Role
    provinces: frozenset[str] = field(default_factory=frozenset)

    def can(self, capability: Capability) -> bool:
        return capability in GRANTS[self.role]

    def viewer(self, now: datetime) -> Viewer:
        """What the store needs to decide visibility for this principal at a moment."""
        return Viewer(agency=self.agency, now=now, provinces=self.provinces)


ANONYMOUS = Principal("anonymous", "Công chúng", None, Role.PUBLIC)
