"""Readiness checks: can this process do its job right now, and if not, the one-line reason why.

Liveness (/healthz) only says the process answers, so an orchestrator does not restart an API or a
consumer because Kafka or the database is down; readiness (/readyz) names what is missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from consumers.liveness import Liveness
from services.kafka_admin import admin_client
from services.ops.burrow import LagStatus
from services.ops.cluster_offsets import PartitionKey
from services.ops.lag import UnknownGroup
from services.ops.lag_sampler import LagSampler
from services.store.tables import ConsumerOffsetRow

Check = Callable[[], str | None]
"""A check returns None when fine, else the reason it is not."""

UNHEALTHY = (LagStatus.STOP, LagStatus.STALL, LagStatus.REWIND, LagStatus.ERR)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]

    @property
    def reasons(self) -> list[str]:
        return [f"{name}: {result}" for name, result in self.checks.items() if result != "ok"]


def evaluate(checks: Mapping[str, Check]) -> Readiness:
    """Run every check (a crashing check counts as failed with its error)."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check() or "ok"
        except Exception as exc:
            results[name] = f"{type(exc).__name__}: {exc}"
    return Readiness(all(result == "ok" for result in results.values()), results)


def broker_check(
    bootstrap: str, timeout_s: float, security: Callable[[], Mapping[str, object]] | None = None
) -> Check:
    """`security` is called at each check: a missing credential file fails the check, not the start."""

    def check() -> str | None:
        admin = admin_client(
            bootstrap, timeout_s, security() if security is not None else None
        )  # raises BrokerUnavailable naming the address
        admin.close()
        return None

    return check


PROBE_GROUP = "casehub-readyz-probe"


def database_check(engine: Engine) -> Check:
    """The store can be WRITTEN: a row inserted in a transaction that is then rolled back.

    `SELECT 1` answers on a read-only file, a read-only PostgreSQL or a store whose writes all fail;
    a real insert meets the same permission, lock and constraint machinery as the materializer's.
    """

    def check() -> str | None:
        try:
            with engine.connect() as connection:
                transaction = connection.begin()
                try:
                    connection.execute(
                        insert(ConsumerOffsetRow).values(
                            consumer_group=PROBE_GROUP,
                            topic=f"probe-{uuid.uuid4().hex}",
                            partition=0,
                            next_offset=0,
                            updated_at=datetime.now(UTC),
                        )
                    )
                finally:
                    transaction.rollback()
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return f"store cannot be written: {type(exc).__name__}: {first[0] if first else ''}"
        return None

    return check


def liveness_check(liveness: Liveness) -> Check:
    """The consumer loop is running and progressing (see consumers.liveness)."""
    return liveness.problem


def assignment_check(assigned: Callable[[], set[PartitionKey]]) -> Check:
    def check() -> str | None:
        return None if assigned() else "no partitions assigned to this consumer"

    return check


def consumer_lag_check(sampler: LagSampler, assigned: Callable[[], set[PartitionKey]]) -> Check:
    """This consumer's own partitions are not STOP, STALL, REWIND or ERR by Burrow's rules."""

    def check() -> str | None:
        if isinstance(sampler.failure, UnknownGroup):
            return None  # nothing committed yet: nothing can be stalled
        if sampler.failure is not None:
            return f"lag unknown ({sampler.failure})"
        if sampler.latest is None:
            return "lag not evaluated yet"
        mine = assigned()
        stuck = [
            f"{row.topic}-{row.partition} {row.status.value}"
            for group in sampler.latest.groups
            for row in group.partitions
            if (row.topic, row.partition) in mine and row.status in UNHEALTHY
        ]
        return ", ".join(stuck) or None

    return check
