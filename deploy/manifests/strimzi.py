"""Strimzi custom resources: a KRaft Kafka with a node pool of 3, SCRAM + TLS listener, simple
authorization; a KafkaTopic per agency and derived topic; a KafkaUser per principal with its ACLs.

Rendered from ``services.broker_access.principals`` so the cluster a ministry runs enforces exactly
the ACLs the local broker is tested with (``tests/integration/test_manifests.py`` compares them).
"""

from __future__ import annotations

from typing import Any

from services.broker_access.principals import Grant, Operation, ResourceKind, Role, grants, principals
from services.settings import AGENCY_CODES, Settings

CLUSTER = "casehub"
NAMESPACE = "casehub"
KAFKA_VERSION = "4.1.0"
API = "kafka.strimzi.io/v1beta2"

# Strimzi spells ACL operations and resource types in its own case.
_OPERATIONS = {
    Operation.READ: "Read",
    Operation.WRITE: "Write",
    Operation.DESCRIBE: "Describe",
    Operation.IDEMPOTENT_WRITE: "IdempotentWrite",
}
STRIMZI_OPERATIONS = {value: key for key, value in _OPERATIONS.items()}


def _metadata(name: str, **labels: str) -> dict[str, Any]:
    return {"name": name, "namespace": NAMESPACE, "labels": {"strimzi.io/cluster": CLUSTER, **labels}}


def node_pool(replicas: int = 3) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "KafkaNodePool",
        "metadata": _metadata("combined"),
        "spec": {
            "replicas": replicas,
            "roles": ["controller", "broker"],
            "storage": {
                "type": "jbod",
                "volumes": [{"id": 0, "type": "persistent-claim", "size": "100Gi", "deleteClaim": False}],
            },
        },
    }


def kafka(settings: Settings) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "Kafka",
        "metadata": {
            "name": CLUSTER,
            "namespace": NAMESPACE,
            "annotations": {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"},
        },
        "spec": {
            "kafka": {
                "version": KAFKA_VERSION,
                "listeners": [
                    {
                        "name": "tls",
                        "port": 9093,
                        "type": "internal",
                        "tls": True,
                        "authentication": {"type": "scram-sha-512"},
                    }
                ],
                "authorization": {"type": "simple", "superUsers": [settings.kafka_admin_user]},
                "config": {
                    "default.replication.factor": 3,
                    "min.insync.replicas": 2,
                    "offsets.topic.replication.factor": 3,
                    "transaction.state.log.replication.factor": 3,
                    "transaction.state.log.min.isr": 2,
                    "unclean.leader.election.enable": False,
                    "auto.create.topics.enable": False,
                    "allow.everyone.if.no.acl.found": False,
                },
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }


def topics(settings: Settings) -> list[dict[str, Any]]:
    """Case topics keep everything (retention -1); alerts and dead letters too (they are records)."""
    names = [settings.agency_topic(a) for a in AGENCY_CODES] + [settings.dead_letter_topic]
    names += [settings.alerts_topic_of(a) for a in AGENCY_CODES]
    return [
        {
            "apiVersion": API,
            "kind": "KafkaTopic",
            "metadata": _metadata(name.replace(".", "-")),
            "spec": {
                "topicName": name,
                "partitions": settings.topic_partitions,
                "replicas": 3,
                "config": {"retention.ms": -1, "min.insync.replicas": 2},
            },
        }
        for name in names
    ]


def _acl(grant: Grant) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": grant.resource.value.lower()}
    if grant.resource is not ResourceKind.CLUSTER:
        resource |= {"name": grant.name, "patternType": grant.pattern.value.lower()}
    return {"resource": resource, "operations": [_OPERATIONS[grant.operation]], "host": "*"}


def users(settings: Settings) -> list[dict[str, Any]]:
    """A KafkaUser per principal; the admin's ACLs are empty (it is the super user)."""
    table = grants(settings)
    rendered = []
    for principal in principals(settings):
        own = sorted(g for g in table if g.principal == principal.name)
        spec: dict[str, Any] = {"authentication": {"type": "scram-sha-512"}}
        if principal.role is not Role.ADMIN:
            spec["authorization"] = {"type": "simple", "acls": [_acl(g) for g in own]}
        rendered.append(
            {
                "apiVersion": API,
                "kind": "KafkaUser",
                "metadata": _metadata(principal.name, **{"casehub.vn/role": principal.role.value}),
                "spec": spec,
            }
        )
    return rendered


def resources(settings: Settings) -> list[dict[str, Any]]:
    return [node_pool(), kafka(settings), *topics(settings), *users(settings)]
