"""The one principal/ACL table: derived from the agency reference data and the topic settings.

The local broker (``provisioning.apply_acls``), the Strimzi KafkaUsers and the compose file
(``deploy/manifests``) are all produced from ``grants()``, so the access model cannot drift
between where it is tested and where it is deployed. Every grant is an ALLOW; Kafka runs with
``allow.everyone.if.no.acl.found=false``, so what is not listed here is refused.

Who may do what:

- each agency WRITEs/DESCRIBEs only ``<cases prefix><agency>`` (+ IDEMPOTENT_WRITE on the cluster, which
  idempotent producers ask for) and READs only ``<alerts prefix><agency>`` with groups named ``<agency>.*``;
- the materializer and the entity linker READ every case topic, each with its own consumer group;
- the dead-letter writer WRITEs the dead-letter topic; the alert publisher WRITEs the alert topics;
- ops DESCRIBEs every topic and group (offsets, members: ``casehub lag`` finds the time behind with
  ListOffsets, never reading a record) and READs ``__consumer_offsets`` (the commit history behind the
  Burrow-style status: positions and times, no case data);
- nobody else reads a case topic, in particular the police one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from schemas.reference.agencies import publishing_agencies
from services.settings import Settings

CLUSTER_RESOURCE = "kafka-cluster"
COMMIT_LOG_TOPIC = "__consumer_offsets"
EVERY = "*"
"""Kafka's wildcard resource name (LITERAL "*" matches every resource of the type)."""


class Role(StrEnum):
    """What a hub principal is for (also the name of its Kafka user, except agencies: their code)."""

    ADMIN = "admin"
    AGENCY = "agency"
    MATERIALIZER = "materializer"
    ENTITIES = "entities"
    DEAD_LETTERS = "deadletters"
    ALERTS = "alerts"
    OPS = "ops"


class Operation(StrEnum):
    READ = "READ"
    WRITE = "WRITE"
    DESCRIBE = "DESCRIBE"
    IDEMPOTENT_WRITE = "IDEMPOTENT_WRITE"


class ResourceKind(StrEnum):
    TOPIC = "TOPIC"
    GROUP = "GROUP"
    CLUSTER = "CLUSTER"


class PatternKind(StrEnum):
    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL: `principal` (a Kafka user name) may do `operation` on the resource, from any host."""

    principal: str
    resource: ResourceKind
    name: str
    pattern: PatternKind
    operation: Operation


@dataclass(frozen=True)
class Principal:
    """A Kafka user of the hub: its name and why it exists."""

    name: str
    role: Role
    agency: str | None = None


def principals(settings: Settings) -> tuple[Principal, ...]:
    """Every Kafka user the hub needs: the admin, one per publishing agency, one per hub process role."""
    agencies = tuple(Principal(code, Role.AGENCY, code) for code in sorted(publishing_agencies()))
    own = tuple(
        Principal(settings.kafka_principal(role), role)
        for role in (Role.MATERIALIZER, Role.ENTITIES, Role.DEAD_LETTERS, Role.ALERTS, Role.OPS)
    )
    return (Principal(settings.kafka_admin_user, Role.ADMIN), *agencies, *own)


def _topic(principal: str, name: str, *operations: Operation) -> Iterable[Grant]:
    return (Grant(principal, ResourceKind.TOPIC, name, PatternKind.LITERAL, op) for op in operations)


def _idempotent(principal: str) -> Grant:
    return Grant(
        principal, ResourceKind.CLUSTER, CLUSTER_RESOURCE, PatternKind.LITERAL, Operation.IDEMPOTENT_WRITE
    )


def grants(settings: Settings) -> frozenset[Grant]:
    """Every ACL of the hub (the admin is a super user and needs none)."""
    agencies = sorted(publishing_agencies())
    case_topics = [settings.agency_topic(code) for code in agencies]
    found: set[Grant] = set()
    for code in agencies:
        found.update(_topic(code, settings.agency_topic(code), Operation.WRITE, Operation.DESCRIBE))
        found.add(_idempotent(code))
        found.update(_topic(code, settings.alerts_topic_of(code), Operation.READ, Operation.DESCRIBE))
        found.add(Grant(code, ResourceKind.GROUP, f"{code}.", PatternKind.PREFIXED, Operation.READ))
    readers = (
        (settings.kafka_principal(Role.MATERIALIZER), settings.consumer_group),
        (settings.kafka_principal(Role.ENTITIES), settings.entity_group),
    )
    for reader, group in readers:
        for topic in case_topics:
            found.update(_topic(reader, topic, Operation.READ, Operation.DESCRIBE))
        found.add(Grant(reader, ResourceKind.GROUP, group, PatternKind.LITERAL, Operation.READ))
    writer = settings.kafka_principal(Role.DEAD_LETTERS)
    found.update(_topic(writer, settings.dead_letter_topic, Operation.WRITE, Operation.DESCRIBE))
    found.add(_idempotent(writer))
    alerts = settings.kafka_principal(Role.ALERTS)
    for code in agencies:
        found.update(_topic(alerts, settings.alerts_topic_of(code), Operation.WRITE, Operation.DESCRIBE))
    found.add(_idempotent(alerts))
    ops = settings.kafka_principal(Role.OPS)  # sees every topic's offsets and every group, reads no case
    found.update(_topic(ops, EVERY, Operation.DESCRIBE))
    found.add(Grant(ops, ResourceKind.GROUP, EVERY, PatternKind.LITERAL, Operation.DESCRIBE))
    found.update(_topic(ops, COMMIT_LOG_TOPIC, Operation.READ))
    return frozenset(found)


def readers_of(topic: str, table: Iterable[Grant]) -> frozenset[str]:
    """The principals allowed to READ `topic` (by a literal or a prefixed grant)."""
    return frozenset(
        grant.principal
        for grant in table
        if grant.resource is ResourceKind.TOPIC
        and grant.operation is Operation.READ
        and (
            grant.name in (topic, EVERY)
            if grant.pattern is PatternKind.LITERAL
            else topic.startswith(grant.name)
        )
    )
