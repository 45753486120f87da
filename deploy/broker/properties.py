"""``server.properties`` of one KRaft node: listeners, security, replication, small-machine tuning.

One function for the single broker and for each node of a local cluster, so both run the same
settings apart from node id, quorum and replication figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deploy.broker.host import host_port
from deploy.broker.security import AUTHORIZER, SCRAM_MECHANISM, BrokerSecurity


@dataclass(frozen=True)
class NodeAddress:
    """Where one node of a KRaft quorum listens: clients on `port`, the quorum on `controller_port`."""

    node_id: int
    host: str
    port: int
    controller_port: int

    @property
    def voter(self) -> str:
        return f"{self.node_id}@{host_port(self.host, self.controller_port)}"


def replication_settings(brokers: int) -> dict[str, str]:
    """RF = min(3, brokers), min ISR = min(2, brokers), never an unclean leader (no silent data loss)."""
    factor = min(3, brokers)
    min_isr = min(2, brokers)
    return {
        "default.replication.factor": str(factor),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": str(min_isr),
        "share.coordinator.state.topic.replication.factor": str(factor),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "unclean.leader.election.enable": "false",
    }


def _listener_settings(node: NodeAddress, security: BrokerSecurity | None) -> dict[str, str]:
    broker = host_port(node.host, node.port)
    controller = host_port(node.host, node.controller_port)
    if security is None:
        return {
            "listeners": f"PLAINTEXT://{broker},CONTROLLER://{controller}",
            "advertised.listeners": f"PLAINTEXT://{broker}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        }
    tls = security.tls
    return {
        # Clients and brokers: SASL_SSL with SCRAM; the quorum: TLS with the broker certificate both ways.
        "listeners": f"CLIENT://{broker},CONTROLLER://{controller}",
        "advertised.listeners": f"CLIENT://{broker}",
        "inter.broker.listener.name": "CLIENT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CLIENT:SASL_SSL,CONTROLLER:SSL",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        f"listener.name.client.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": security.jaas_config(),
        "listener.name.controller.ssl.client.auth": "required",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(tls.broker_keystore.absolute()),  # the JVM runs in its data dir
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(tls.ca_cert.absolute()),
        "ssl.endpoint.identification.algorithm": "https",
        "authorizer.class.name": AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "super.users": security.super_users,
    }


def server_properties(
    node: NodeAddress,
    voters: tuple[NodeAddress, ...],
    kraft_dir: Path,
    security: BrokerSecurity | None,
) -> dict[str, str]:
    """Every setting of one node; `voters` is the whole quorum (just `node` for a single broker)."""
    settings = {
        # Each node is broker and controller voter (combined mode: fewest JVMs on a small machine).
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": ",".join(voter.voter for voter in voters),
        **_listener_settings(node, security),
        "log.dirs": str(kraft_dir.absolute()),
        "num.partitions": "1",
        **replication_settings(len(voters)),
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.num.partitions": "4",
        # Small machine, fast tests.
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "2",
        "num.recovery.threads.per.data.dir": "1",
        "background.threads": "4",
        "log.cleaner.threads": "1",
        "log.cleaner.dedupe.buffer.size": str(2 * 1024 * 1024),
        # Topics are created explicitly by the project, never by a typo.
        "auto.create.topics.enable": "false",
        "delete.topic.enable": "true",
    }
    return settings
