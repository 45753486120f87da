"""Real Apache Kafka on this machine: one KRaft node (``launcher``) or a quorum of them (``cluster``),
with TLS material (``tls``), the secured listeners (``security``, ``properties``) and the jars (``jars``)."""

from deploy.broker.cluster import KafkaCluster
from deploy.broker.host import BrokerError, free_port
from deploy.broker.jars import DEFAULT_LIBS_DIR, ensure_jars
from deploy.broker.launcher import BrokerStatus, KafkaBroker
from deploy.broker.security import BrokerSecurity
from deploy.broker.tls import TlsFiles, ensure_tls

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
