"""Everything a consumer process exposes to ops: batch metrics, its own group's lag, readiness, HTTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from sqlalchemy import Engine

from consumers.kafka_io import KafkaRecordSource
from consumers.liveness import Liveness
from consumers.metrics import MaterializerMetrics
from consumers.source import RecordSource
from services.bootstrap import cluster_offsets
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.ops import health
from services.ops.cluster_offsets import PartitionKey
from services.ops.lag import hub_groups, lag_window
from services.ops.lag_metrics import LagCollector
from services.ops.lag_sampler import LagSampler
from services.ops.metrics_server import MetricsServer
from services.settings import Settings

logger = structlog.get_logger()


def process_registry() -> CollectorRegistry:
    """A registry of our own (tests build many) with the usual process and runtime collectors."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def assigned_partitions(source: RecordSource) -> Callable[[], set[PartitionKey]]:
    """What the consumer currently owns (a read of kafka-python's subscription state, safe off-thread)."""

    def assigned() -> set[PartitionKey]:
        if not isinstance(source, KafkaRecordSource):
            return set()
        return source.owned()

    return assigned


class ConsumerMonitor:
    """Create before the materializer (it needs `observer`), start once its source exists, stop last."""

    def __init__(self, settings: Settings, engine: Engine, registry: CollectorRegistry | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.registry = registry or process_registry()
        self.observer = MaterializerMetrics(settings.consumer_group, self.registry)
        self.sampler = LagSampler(
            lambda: cluster_offsets(settings),
            lag_window(settings),
            groups=[settings.consumer_group],
            interval_s=settings.lag_sample_interval_s,
            expected=hub_groups(settings),
        )
        self.registry.register(LagCollector(self.sampler))
        self.server: MetricsServer | None = None

    def start(self, source: RecordSource, liveness: Liveness | None = None) -> MetricsServer | None:
        """Start sampling and serving; a busy port costs the metrics, never the consuming."""
        assigned = assigned_partitions(source)
        checks = {
            "consumer": health.liveness_check(liveness) if liveness else lambda: None,
            "broker": health.broker_check(
                self.settings.kafka_bootstrap,
                self.settings.connect_timeout_s,
                lambda: client_options(self.settings, Role.OPS),
            ),
            "database": health.database_check(self.engine),
            "partitions": health.assignment_check(assigned),
            "lag": health.consumer_lag_check(self.sampler, assigned),
        }
        return self._serve(checks)

    def _serve(self, checks: dict[str, health.Check]) -> MetricsServer | None:
        self.sampler.start()
        try:
            self.server = MetricsServer(
                self.settings.metrics_host,
                self.settings.metrics_port,
                self.registry,
                lambda: health.evaluate(checks),
            ).start()
        except OSError as exc:
            logger.warning("metrics_server_unavailable", port=self.settings.metrics_port, reason=str(exc))
        return self.server

    def start_group(self, members: Sequence[Liveness]) -> MetricsServer | None:
        """The parent of `casehub consume --processes N`: ready while every member process runs and no
        partition of the group is stuck (Burrow's rules over ALL the group's partitions: the parent owns
        none itself). Each member serves its own full /readyz (its partitions, its lag) beside it."""
        checks: dict[str, health.Check] = {
            member.name.replace(" ", "_"): health.liveness_check(member) for member in members
        }
        checks |= {
            "broker": health.broker_check(
                self.settings.kafka_bootstrap,
                self.settings.connect_timeout_s,
                lambda: client_options(self.settings, Role.OPS),
            ),
            "database": health.database_check(self.engine),
            "lag": health.consumer_lag_check(self.sampler, self.group_partitions),
        }
        return self._serve(checks)

    def group_partitions(self) -> set[PartitionKey]:
        """Every partition the latest lag sample knows for this group."""
        report = self.sampler.latest
        if report is None:
            return set()
        return {
            (row.topic, row.partition)
            for group in report.groups
            if group.group == self.settings.consumer_group
            for row in group.partitions
        }

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.sampler.stop()
