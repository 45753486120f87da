"""The KafkaProducer settings of a Publisher, in one place: acks=all and idempotent (a retry never
duplicates or reorders a case's events), the best compression this install has, and every wait bounded
by the connect timeout so a broker that is down is an answer within it, not a hang."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kafka import codec as kafka_codec


def available_compression() -> str:
    """The best codec kafka-python can use here: lz4, zstd and snappy need extra libraries, gzip does not."""
    optional = (
        ("lz4", kafka_codec.has_lz4),
        ("zstd", kafka_codec.has_zstd),
        ("snappy", kafka_codec.has_snappy),
    )
    return next((name for name, present in optional if present()), "gzip")


def producer_options(
    *,
    bootstrap: str,
    client_id: str,
    compression: str | None,
    linger_ms: int,
    batch_size: int,
    connect_timeout_s: float,
    delivery_timeout_s: float,
    security: Mapping[str, object] | None,
) -> dict[str, Any]:
    """KafkaProducer's keyword arguments (the security options last: SASL/TLS as the broker wants)."""
    return {
        "bootstrap_servers": bootstrap,
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": compression,
        "linger_ms": linger_ms,
        "batch_size": batch_size,
        "max_block_ms": int(connect_timeout_s * 1000),
        "delivery_timeout_ms": int(delivery_timeout_s * 1000),
        "request_timeout_ms": int(connect_timeout_s * 1000),
        "bootstrap_timeout_ms": int(connect_timeout_s * 1000),
        **dict(security or {}),
    }
