"""Cluster operations the hub needs: is the broker there, do our topics exist (with enough partitions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import structlog
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schemas.outages import BrokerUnavailable

logger = structlog.get_logger()


def admin_client(
    bootstrap: str, timeout_s: float = 10.0, security: Mapping[str, object] | None = None
) -> KafkaAdminClient:
    """An admin client, or BrokerUnavailable naming the address within `timeout_s`.

    `security` is what ``services.broker_access.client_options`` returns for the caller's role.
    """
    try:
        return KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="casehub-admin",
            request_timeout_ms=int(timeout_s * 1000),
            bootstrap_timeout_ms=int(timeout_s * 1000),
            **dict(security or {}),
        )
    except KafkaError as exc:
        raise BrokerUnavailable(
            f"cannot reach Kafka at {bootstrap} within {timeout_s:.0f}s ({type(exc).__name__})"
        ) from exc


def replication_factor(admin: KafkaAdminClient) -> int:
    """min(3, brokers): every topic survives a broker loss once there are three."""
    return max(1, min(3, len(admin.describe_cluster().get("brokers", ()) or ())))


def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    partitions: int,
    timeout_s: float = 10.0,
    security: Mapping[str, object] | None = None,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Create the topics that are missing (with their `configs` beside retention); returns the names
    created. Case topics keep everything.

    Replication factor min(3, brokers) with the brokers' min.insync.replicas (2 on three brokers).
    """
    admin = admin_client(bootstrap, timeout_s, security)
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        created = []
        factor = replication_factor(admin) if missing else 1
        for name in missing:
            topic_configs = {"retention.ms": "-1", **(configs or {}).get(name, {})}
            topic = NewTopic(name, partitions, factor, topic_configs=topic_configs)
            try:
                admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        if created:
            logger.info("topics_created", topics=created, partitions=partitions, replication_factor=factor)
        return created
    finally:
        admin.close()


def grow_topics(
    bootstrap: str,
    names: Iterable[str],
    partitions: int,
    timeout_s: float = 10.0,
    security: Mapping[str, object] | None = None,
) -> dict[str, tuple[int, int]]:
    """Add partitions to existing topics that have fewer than `partitions`; returns {topic: (before, after)}
    for the ones grown. Kafka cannot shrink a topic: one with more partitions is left as it is, and a
    missing topic is left to `ensure_topics`.

    Why growing is safe for the hub: the producers' key (the case id) maps to another partition once the
    count changes, so a case's later events may sit in a different partition than its earlier ones; the
    materializer's fold does not depend on arrival order (furthest stage, sums, maxima, insert-or-ignore
    projections; docs/architecture.md "Projections"), so the store ends the same.
    """
    admin = admin_client(bootstrap, timeout_s, security)
    try:
        wanted = set(names)
        counts = {
            str(topic["name"]): len(topic.get("partitions") or ())
            for topic in admin.describe_topics(sorted(wanted & set(admin.list_topics())))
        }
        grow = {name: partitions for name, count in counts.items() if count < partitions}
        if grow:
            admin.create_partitions(grow, timeout_ms=int(timeout_s * 1000))
            logger.info("topics_grown", topics=sorted(grow), partitions=partitions)
        return {name: (counts[name], partitions) for name in sorted(grow)}
    finally:
        admin.close()
