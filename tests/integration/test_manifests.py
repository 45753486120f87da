"""The deployment manifests carry exactly the ACLs the local broker enforces: parse and compare.

No Kubernetes or Docker here, so the rendered YAML is parsed; the ACLs of the KafkaUsers and of the
compose file's table are compared with what the session's real broker answers to DescribeAcls for
the same (default) topic names, and the committed files must equal a fresh render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kafka.admin import KafkaAdminClient

from deploy.manifests.render import DEFAULT_DIR, render
from deploy.manifests.strimzi import STRIMZI_OPERATIONS
from services.broker_access.principals import Grant, Operation, PatternKind, ResourceKind, grants
from services.broker_access.provisioning import admin_options, describe_grants
from services.settings import Settings

pytestmark = pytest.mark.integration


def strimzi_grants(documents: list[dict[str, Any]]) -> set[Grant]:
    found = set()
    for doc in documents:
        if doc["kind"] != "KafkaUser":
            continue
        for acl in doc["spec"].get("authorization", {}).get("acls", []):
            resource = acl["resource"]
            kind = ResourceKind(resource["type"].upper())
            name = resource.get("name", "kafka-cluster")
            pattern = PatternKind(resource.get("patternType", "literal").upper())
            for operation in acl["operations"]:
                found.add(Grant(doc["metadata"]["name"], kind, name, pattern, STRIMZI_OPERATIONS[operation]))
    return found


def compose_grants(document: dict[str, Any]) -> set[Grant]:
    return {
        Grant(
            row["principal"].removeprefix("User:"),
            ResourceKind(row["resource"]),
            row["name"],
            PatternKind(row["pattern"]),
            Operation(row["operation"]),
        )
        for row in document["x-casehub-acls"]
    }


def test_rendered_acls_equal_the_ones_on_the_local_broker(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = Settings(kafka_bootstrap=kafka_bootstrap)  # default topic names, as deployed
    strimzi_file, compose_file = render(settings, tmp_path)
    strimzi = list(yaml.safe_load_all(strimzi_file.read_text(encoding="utf-8")))
    compose = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, **admin_options(settings))
    try:
        on_broker = describe_grants(admin)
    finally:
        admin.close()
    resources = {(g.resource, g.name, g.pattern) for g in grants(settings)}
    applied = {g for g in on_broker if (g.resource, g.name, g.pattern) in resources}  # not other tests'
    assert strimzi_grants(strimzi) == applied
    assert compose_grants(compose) == applied
    kinds = [doc["kind"] for doc in strimzi]
    assert kinds.count("KafkaNodePool") == 1 and kinds.count("Kafka") == 1
    pool = next(doc for doc in strimzi if doc["kind"] == "KafkaNodePool")
    assert pool["spec"]["replicas"] == 3
    cluster = next(doc for doc in strimzi if doc["kind"] == "Kafka")
    assert cluster["spec"]["kafka"]["listeners"][0]["authentication"] == {"type": "scram-sha-512"}
    assert cluster["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    assert {doc["spec"]["replicas"] for doc in strimzi if doc["kind"] == "KafkaTopic"} == {3}
    assert sum(1 for name in compose["services"] if name.startswith("kafka-")) == 3


def test_the_committed_manifests_are_a_fresh_render(tmp_path: Path) -> None:
    """deploy/rendered/ must not drift from the table: re-render and compare byte for byte."""
    fresh = render(Settings(), tmp_path)
    for path in fresh:
        committed = DEFAULT_DIR / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale; run `casehub deploy render`"
        )
