"""The test session's broker as the hub runs it: SASL_SSL, SCRAM users from the principal table, ACLs.

The session's settings travel through CASEHUB_KAFKA_* environment variables (CA file, credentials
directory), so every `Settings()` a test or a `casehub` subprocess builds logs in like the hub does:
each role as its own Kafka user, refused what the ACL table does not grant.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from deploy.broker import BrokerSecurity, KafkaBroker, KafkaCluster, ensure_jars, ensure_tls, free_port
from services.broker_access.credentials import (
    KafkaCredential,
    new_password,
    read_credential,
    write_credential,
)
from services.broker_access.provisioning import provision
from services.settings import Settings

ENV_KEYS = ("CASEHUB_KAFKA_SECURITY", "CASEHUB_KAFKA_CA_FILE", "CASEHUB_KAFKA_CREDENTIALS_DIR")


def secure_broker(home: Path, *, port: int | None = None, controller_port: int | None = None) -> KafkaBroker:
    """A secured (not yet started) broker whose TLS files and admin credential live under `home`."""
    tls = ensure_tls(home / "tls")
    admin = KafkaCredential("admin", new_password())
    security = BrokerSecurity(tls, admin.username, admin.password)
    broker = KafkaBroker(
        home / "broker",
        port=port or free_port(),
        controller_port=controller_port or free_port(),
        security=security,
    )
    write_credential(home / "credentials", admin, broker.bootstrap, tls.ca_cert)
    return broker


@contextmanager
def session_env(home: Path) -> Iterator[None]:
    """CASEHUB_KAFKA_* pointing at `home`'s CA and credentials for the block (restored afterwards)."""
    saved = {key: os.environ.get(key) for key in ENV_KEYS}
    os.environ["CASEHUB_KAFKA_SECURITY"] = "sasl_ssl"
    os.environ["CASEHUB_KAFKA_CA_FILE"] = str(home / "tls" / "ca.pem")
    os.environ["CASEHUB_KAFKA_CREDENTIALS_DIR"] = str(home / "credentials")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def session_broker_like(data_dir: Path, **options: Any) -> KafkaBroker:
    """Another secured broker (a test may kill or restart it) trusting the session's CA and admin."""
    settings = Settings()
    tls = ensure_tls(settings.ca_file.parent)
    admin = read_credential(settings.credentials_dir, settings.kafka_admin_user)
    security = BrokerSecurity(tls, admin.username, admin.password)
    options.setdefault("port", free_port())
    options.setdefault("controller_port", free_port())
    return KafkaBroker(data_dir, security=security, **options)


def start_provisioned(broker: KafkaBroker) -> None:
    """Start `broker` and give it the session's users (same passwords) and the default ACL table."""
    broker.start()
    provision(Settings(kafka_bootstrap=broker.bootstrap))


@contextmanager
def running_secure_broker(home: Path) -> Iterator[str]:
    """Start a secured broker, provision the hub's users and default ACLs, yield its bootstrap."""
    ensure_jars()
    broker = secure_broker(home)
    broker.start()
    try:
        with session_env(home):
            provision(Settings(kafka_bootstrap=broker.bootstrap))
            yield broker.bootstrap
    finally:
        broker.stop()


def session_cluster_like(data_dir: Path, brokers: int = 3, heap: str = "384m") -> KafkaCluster:
    """A secured local cluster trusting the session's CA and admin (tests may kill its nodes)."""
    settings = Settings()
    tls = ensure_tls(settings.ca_file.parent)
    admin = read_credential(settings.credentials_dir, settings.kafka_admin_user)
    # Node i listens on first + 2(i-1) and first + 2(i-1) + 1: a run of free ports.
    first = free_port(run=2 * brokers)
    return KafkaCluster(
        data_dir,
        brokers=brokers,
        port=first,
        controller_port=first + 1,
        heap=heap,
        security=BrokerSecurity(tls, admin.username, admin.password),
    )
