"""A local KRaft quorum of N nodes (each broker + controller voter), e.g. `casehub cluster start --brokers 3`.

Why combined nodes: three JVMs are what a two-core machine can carry; each still replicates partitions
and votes in the quorum, so losing one keeps both the metadata quorum (2 of 3) and every partition's
in-sync replicas (RF 3, min ISR 2) alive. Node i listens on ``port + 2(i-1)`` and its controller on
``controller_port + 2(i-1)``, so the defaults 9092/9093 give 9092/9093, 9094/9095, 9096/9097.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from deploy.broker.host import BrokerError, file_lock
from deploy.broker.jars import ensure_jars
from deploy.broker.launcher import BrokerStatus, KafkaBroker, StartTimeoutError
from deploy.broker.properties import NodeAddress
from deploy.broker.security import BrokerSecurity

__all__ = ["KafkaCluster"]

log = structlog.get_logger()


@dataclass
class KafkaCluster:
    """N KRaft nodes sharing one cluster id, each with its state in ``data_dir/node-<i>``."""

    data_dir: Path
    brokers: int = 3
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"
    security: BrokerSecurity | None = None
    nodes: list[KafkaBroker] = field(init=False)

    def __post_init__(self) -> None:
        if not 1 <= self.brokers <= 9:
            raise BrokerError(f"a local cluster has 1 to 9 brokers, not {self.brokers}")
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        voters = tuple(
            NodeAddress(i, self.host, self.port + 2 * (i - 1), self.controller_port + 2 * (i - 1))
            for i in range(1, self.brokers + 1)
        )
        self.nodes = [
            KafkaBroker(
                self.data_dir / f"node-{voter.node_id}",
                host=self.host,
                port=voter.port,
                controller_port=voter.controller_port,
                heap=self.heap,
                security=self.security,
                node_id=voter.node_id,
                voters=voters,
                cluster_id=None,
            )
            for voter in voters
        ]

    @property
    def bootstrap(self) -> str:
        """Every node's address: clients find the cluster through whichever answers."""
        return ",".join(node.bootstrap for node in self.nodes)

    def node(self, node_id: int) -> KafkaBroker:
        return self.nodes[node_id - 1]

    def start(self, timeout: float = 180) -> None:
        """Start every node that is not running, together (a quorum needs a majority up to answer)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.data_dir / ".cluster.lock"):
            cluster_id = self._cluster_id()
            waiting: list[KafkaBroker] = []
            for node in self.nodes:
                node.cluster_id = cluster_id
                if node.is_running():
                    continue
                node.check_ports_free()
                libs = node.prepare()
                node.launch(libs)
                waiting.append(node)
            deadline = time.monotonic() + timeout
            try:
                for node in waiting:
                    node.wait_ready(max(5.0, deadline - time.monotonic()))
            except StartTimeoutError:
                for node in waiting:
                    node.stop()
                raise
        log.info("kafka cluster ready", brokers=self.brokers, bootstrap=self.bootstrap)

    def stop(self, timeout: float = 30) -> bool:
        """Stop every node at once: one by one, the last nodes would wait for a quorum already gone
        (their controlled shutdown needs a controller) until SIGKILL."""
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            stopped = list(pool.map(lambda node: node.stop(timeout), self.nodes))
        return any(stopped)

    def status(self) -> BrokerStatus:
        """Running when every node runs; reachable when a client call through them succeeds."""
        states = [node.status() for node in self.nodes]
        return BrokerStatus(
            running=all(state.running for state in states),
            pid=states[0].pid,
            bootstrap=self.bootstrap,
            reachable=any(state.reachable for state in states),
        )

    def is_running(self) -> bool:
        return all(node.is_running() for node in self.nodes)

    def _cluster_id(self) -> str:
        """One id for every node, made once by the first node's StorageTool and kept in cluster.id."""
        path = self.data_dir / "cluster.id"
        with contextlib.suppress(OSError):
            existing = path.read_text(encoding="utf-8").strip()
            if existing:
                return existing
        first = self.nodes[0]
        first.data_dir.mkdir(parents=True, exist_ok=True)
        cluster_id = first.new_cluster_id(ensure_jars())
        path.write_text(cluster_id + "\n", encoding="utf-8")
        return cluster_id
