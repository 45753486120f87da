"""The local broker (or cluster) `casehub up` / `casehub broker|cluster` run, secured from settings.

Secure unless CASEHUB_KAFKA_SECURITY=plaintext: the TLS material lives beside the CA file
(<home>/tls by default) and the hub admin's credential in its 0600 file, both made on first use.
"""

from __future__ import annotations

from deploy.broker import BrokerSecurity, KafkaBroker, KafkaCluster, ensure_tls
from services.broker_access.credentials import (
    KafkaCredential,
    credential_file,
    new_password,
    read_credential,
    write_credential,
)
from services.settings import Settings

LocalKafka = KafkaBroker | KafkaCluster


def admin_credential(settings: Settings, bootstrap: str) -> KafkaCredential:
    """The admin's credential from its file, made (new password, mode 0600) when there is none."""
    name = settings.kafka_admin_user
    if credential_file(settings.credentials_dir, name).exists():
        return read_credential(settings.credentials_dir, name)
    credential = KafkaCredential(name, new_password())
    write_credential(settings.credentials_dir, credential, bootstrap, settings.ca_file)
    return credential


def broker_security(settings: Settings) -> BrokerSecurity | None:
    """SASL_SSL + ACLs for the local broker, or None when settings explicitly ask for plaintext."""
    if settings.kafka_security == "plaintext":
        return None
    tls = ensure_tls(settings.ca_file.parent)
    admin = admin_credential(settings, settings.kafka_bootstrap)
    return BrokerSecurity(tls, admin.username, admin.password)


def broker_for(settings: Settings, brokers: int | None = None) -> LocalKafka:
    """The local broker behind settings.kafka_bootstrap (a cluster of CASEHUB_KAFKA_BROKERS nodes when
    more than one), with its data under settings.home."""
    first = settings.kafka_bootstrap.split(",")[0]
    host, _, port = first.rpartition(":")
    count = brokers or settings.kafka_brokers
    if count > 1:
        return KafkaCluster(
            data_dir=(settings.home / "kafka-cluster").resolve(),
            brokers=count,
            host=host or "127.0.0.1",
            port=int(port),
            controller_port=settings.kafka_controller_port,
            security=broker_security(settings),
        )
    return KafkaBroker(
        data_dir=(settings.home / "kafka").resolve(),
        host=host or "127.0.0.1",
        port=int(port),
        controller_port=settings.kafka_controller_port,
        security=broker_security(settings),
    )
