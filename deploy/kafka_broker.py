"""The launcher's former home, kept so existing imports work; the code lives in ``deploy.broker``."""

from deploy.broker import (
    DEFAULT_LIBS_DIR,
    BrokerError,
    BrokerSecurity,
    BrokerStatus,
    KafkaBroker,
    ensure_jars,
    ensure_tls,
    free_port,
)
from deploy.broker.host import port_free as _port_free

__all__ = [
    "DEFAULT_LIBS_DIR",
    "BrokerError",
    "BrokerSecurity",
    "BrokerStatus",
    "KafkaBroker",
    "_port_free",
    "ensure_jars",
    "ensure_tls",
    "free_port",
]
