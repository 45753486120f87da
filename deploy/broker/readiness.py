"""Whether a broker is usable: a real Kafka request (list topics) through kafka-python succeeds.

An open port is not enough (the KRaft quorum may not have formed yet), so readiness is a client call,
as the admin on a secured broker."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from deploy.broker.host import host_port, port_accepts


def client_ok(host: str, port: int, options: Mapping[str, object], timeout: float) -> bool:
    if not port_accepts(host, port, timeout=min(timeout, 2.0)):
        return False
    from kafka.admin import KafkaAdminClient  # lazy: keep imports side-effect free

    timeout_ms = int(timeout * 1000)
    configs: dict[str, object] = {
        "bootstrap_servers": host_port(host, port),
        "client_id": "casehub-launcher",
        "request_timeout_ms": timeout_ms,
        **options,
    }
    if "bootstrap_timeout_ms" in KafkaAdminClient.DEFAULT_CONFIG:
        configs["bootstrap_timeout_ms"] = timeout_ms
    try:
        admin = KafkaAdminClient(**configs)
    except Exception:  # any client failure means "not ready yet"
        return False
    try:
        admin.list_topics()
    except Exception:
        return False
    finally:
        with contextlib.suppress(Exception):
            admin.close()
    return True
