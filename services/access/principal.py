"""A principal: an agency, a role and a province scope, however they proved who they are (token or OIDC).

Roles decide which endpoints answer; the agency decides which events are visible (services.store.queries.
visibility); the province scope narrows cases to the 34-unit provinces listed (none = the whole country).
An admin has no special sight of restricted data: data owners decide who sees it, not the hub's operators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.store.queries.visibility import Viewer


class Role(StrEnum):
    ANALYST = "analyst"
    AGENCY_OFFICER = "agency_officer"
    AGENCY_SYSTEM = "agency_system"  # a machine client of one agency that publishes its events over HTTP
    OPS = "ops"
    ADMIN = "admin"
    PUBLIC = "public"


class Capability(StrEnum):
    READ_CASES = "read_cases"  # search, case timelines, seller dossiers, statistics, hit / no-hit
    EXPORT = "export"  # bulk CSV/XLSX of case lists
    READ_AUDIT = "read_audit"
    READ_PUBLIC = "read_public"
    INGEST_EVENTS = "ingest_events"  # POST /api/ingest/events: publish the principal's agency's events
    READ_OPS = "read_ops"  # dead letters (where from, why) and other operations views


GRANTS: dict[Role, frozenset[Capability]] = {
    Role.ANALYST: frozenset({Capability.READ_CASES, Capability.EXPORT, Capability.READ_PUBLIC}),
    Role.AGENCY_OFFICER: frozenset({Capability.READ_CASES, Capability.READ_PUBLIC}),
    Role.AGENCY_SYSTEM: frozenset({Capability.INGEST_EVENTS}),
    Role.OPS: frozenset({Capability.READ_PUBLIC, Capability.READ_OPS}),
    Role.ADMIN: frozenset(
        {
            Capability.READ_CASES,
            Capability.EXPORT,
            Capability.READ_AUDIT,
            Capability.READ_PUBLIC,
            Capability.READ_OPS,
        }
    ),
    Role.PUBLIC: frozenset({Capability.READ_PUBLIC}),
}


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
