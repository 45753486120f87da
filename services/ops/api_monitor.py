"""What the API process exposes to ops: lag gauges for every group, readiness of broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from services.bootstrap import cluster_offsets
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.ops import health
from services.ops.consumer_monitor import process_registry
from services.ops.kafka_offsets import KafkaClusterOffsets
from services.ops.lag import LagWindow, hub_groups, lag_window
from services.ops.lag_metrics import LagCollector
from services.ops.lag_sampler import LagSampler
from services.settings import Settings


class ApiMonitor:
    """Built with the app; the lag sampler only runs when the app's lifespan starts it (a served API)."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.window: LagWindow = lag_window(settings)
        self.registry: CollectorRegistry = process_registry()
        self.expected = hub_groups(settings)
        self.sampler = LagSampler(
            self.open_cluster, self.window, interval_s=settings.lag_sample_interval_s, expected=self.expected
        )
        self.registry.register(LagCollector(self.sampler))
        self.checks: dict[str, health.Check] = {
            "broker": health.broker_check(
                settings.kafka_bootstrap,
                settings.connect_timeout_s,
                lambda: client_options(settings, Role.OPS),
            ),
            "database": health.database_check(engine),
        }

    def open_cluster(self) -> KafkaClusterOffsets:
        return cluster_offsets(self.settings)

    def add_check(self, name: str, check: health.Check) -> None:
        """More readiness: `casehub up` adds its in-process consumers, so one /readyz covers the hub."""
        self.checks[name] = check

    def readiness(self) -> health.Readiness:
        return health.evaluate(self.checks)

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        self.sampler.start()
        try:
            yield
        finally:
            self.sampler.stop()
