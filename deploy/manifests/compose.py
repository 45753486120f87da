"""A compose file for 3 Kafka brokers (KRaft, SASL_SSL, ACLs) + PostgreSQL + the hub's processes.

Each broker's settings are the launcher's own ``server_properties`` (the same listeners, security and
replication figures the tests run), turned into the apache/kafka image's KAFKA_* variables. Users
and ACLs are applied at start by a one-shot ``casehub agencies credentials`` service, i.e. from the
same table; the rendered list under ``x-casehub-acls`` is what it applies (the manifests test
compares it with the local broker's). No Docker runs here, so the file is parsed, not started.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from deploy.broker.properties import NodeAddress, server_properties
from deploy.broker.security import BrokerSecurity
from deploy.broker.tls import TlsFiles
from services.broker_access.principals import grants
from services.settings import Settings

KAFKA_IMAGE = "apache/kafka:4.1.0"
POSTGRES_IMAGE = "postgres:16"
HUB_IMAGE = "casehub:latest"
SECRETS = Path("/etc/kafka/secrets")
BROKERS = 3


def _env_name(key: str) -> str:
    """apache/kafka's rule: '.' → '_', '_' → '__', '-' → '___', upper case, KAFKA_ prefix."""
    return "KAFKA_" + key.replace("-", "___").replace("_", "__").replace(".", "_").upper()


def broker_service(node: NodeAddress, voters: tuple[NodeAddress, ...]) -> dict[str, Any]:
    security = BrokerSecurity(TlsFiles(SECRETS), "admin", SecretStr("${CASEHUB_KAFKA_ADMIN_PASSWORD}"))
    properties = server_properties(node, voters, Path("/var/lib/kafka/data"), security)
    environment = {_env_name(key): value for key, value in properties.items()}
    environment["CLUSTER_ID"] = "${CASEHUB_KAFKA_CLUSTER_ID}"
    return {
        "image": KAFKA_IMAGE,
        "hostname": node.host,
        "environment": environment,
        "volumes": [f"./tls:{SECRETS}:ro", f"kafka-{node.node_id}:/var/lib/kafka/data"],
    }


def hub_environment(settings: Settings) -> dict[str, str]:
    return {
        "CASEHUB_KAFKA_BOOTSTRAP": ",".join(f"kafka-{i}:9092" for i in range(1, BROKERS + 1)),
        "CASEHUB_KAFKA_SECURITY": "sasl_ssl",
        "CASEHUB_KAFKA_CA_FILE": "/run/casehub/tls/ca.pem",
        "CASEHUB_KAFKA_CREDENTIALS_DIR": "/run/casehub/credentials",
        "CASEHUB_DATABASE_URL": "postgresql+psycopg://casehub:${POSTGRES_PASSWORD}@postgres:5432/casehub",
        "CASEHUB_TOPIC_PREFIX": settings.topic_prefix,
        "CASEHUB_API_HOST": "0.0.0.0",
    }


def compose(settings: Settings) -> dict[str, Any]:
    voters = tuple(NodeAddress(i, f"kafka-{i}", 9092, 9093) for i in range(1, BROKERS + 1))
    services: dict[str, Any] = {f"kafka-{v.node_id}": broker_service(v, voters) for v in voters}
    hub = hub_environment(settings)
    volumes = ["./tls:/run/casehub/tls:ro", "./credentials:/run/casehub/credentials"]
    kafka = [f"kafka-{v.node_id}" for v in voters]
    services["postgres"] = {
        "image": POSTGRES_IMAGE,
        "environment": {"POSTGRES_USER": "casehub", "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD}"},
        "volumes": ["pgdata:/var/lib/postgresql/data"],
    }
    services["casehub-acls"] = {
        "image": HUB_IMAGE,
        "command": ["casehub", "agencies", "credentials"],
        "environment": hub,
        "volumes": volumes,
        "depends_on": kafka,
        "restart": "on-failure",
    }
    after = {
        "casehub-acls": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_started"},
    }
    services["casehub-topics"] = {
        "image": HUB_IMAGE,
        "command": ["casehub", "topics", "create"],
        "environment": hub,
        "volumes": volumes,
        "depends_on": after,
    }
    services["casehub-db-upgrade"] = {  # processes never migrate on start: this one-shot step does
        "image": HUB_IMAGE,
        "command": ["casehub", "db", "upgrade"],
        "environment": hub,
        "volumes": volumes,
        "depends_on": {"postgres": {"condition": "service_started"}},
        "restart": "on-failure",
    }
    upgraded = {**after, "casehub-db-upgrade": {"condition": "service_completed_successfully"}}
    for name, command in (("materializer", ["casehub", "consume"]), ("api", ["casehub", "api"])):
        services[f"casehub-{name}"] = {
            "image": HUB_IMAGE,
            "command": command,
            "environment": hub,
            "volumes": volumes,
            "depends_on": upgraded,
            "restart": "unless-stopped",
        }
    services["casehub-api"]["ports"] = ["8000:8000"]
    return {
        "x-casehub-acls": [
            {
                "principal": f"User:{g.principal}",
                "resource": g.resource.value,
                "name": g.name,
                "pattern": g.pattern.value,
                "operation": g.operation.value,
            }
            for g in sorted(grants(settings))
        ],
        "services": services,
        "volumes": {**{f"kafka-{v.node_id}": {} for v in voters}, "pgdata": {}},
    }
