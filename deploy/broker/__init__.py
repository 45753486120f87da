"""Real Apache Kafka on this machine: one KRaft node (``launcher``) or a quorum of them (``cluster``),
with TLS material (``tls``), the secured listeners (``security``, ``properties``) and the jars (``jars``).

The names below are loaded from their modules when first asked for (PEP 562), not with the package: a
command that only needs ``BrokerError`` or the jars (every CLI command's error handling) then does not
import the launcher and its TLS stack (``cryptography``, ~0.1 s)."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deploy.broker.cluster import KafkaCluster
    from deploy.broker.host import BrokerError, free_port
    from deploy.broker.jars import DEFAULT_LIBS_DIR, ensure_jars
    from deploy.broker.launcher import BrokerStatus, KafkaBroker
    from deploy.broker.security import BrokerSecurity
    from deploy.broker.tls import TlsFiles, ensure_tls

_HOMES = {
    "KafkaCluster": "cluster",
    "BrokerError": "host",
    "free_port": "host",
    "DEFAULT_LIBS_DIR": "jars",
    "ensure_jars": "jars",
    "BrokerStatus": "launcher",
    "KafkaBroker": "launcher",
    "BrokerSecurity": "security",
    "TlsFiles": "tls",
    "ensure_tls": "tls",
}

__all__ = [
    "DEFAULT_LIBS_DIR",
    "BrokerError",
    "BrokerSecurity",
    "BrokerStatus",
    "KafkaBroker",
    "KafkaCluster",
    "TlsFiles",
    "ensure_jars",
    "ensure_tls",
    "free_port",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
