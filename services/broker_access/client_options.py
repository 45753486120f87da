"""Settings → kafka-python client options: the ONE place every Kafka client of the hub gets its security.

Publisher, consumers, dead-letter and alert writers, admin and ops clients all take the dict this
returns (``security_protocol``, ``sasl_mechanism``, ``sasl_plain_username``/``password``,
``ssl_cafile``), so a change of how the hub authenticates is made here once.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.broker_access.credentials import SCRAM_MECHANISM, KafkaCredential, read_credential
from services.settings import Settings

PLAINTEXT: Mapping[str, object] = {"security_protocol": "PLAINTEXT"}


def login(settings: Settings, role: str) -> KafkaCredential:
    """Who this process logs in as for `role`: CASEHUB_KAFKA_USERNAME/PASSWORD, else the role's own file."""
    username = settings.kafka_username or settings.kafka_principal(role)
    if settings.kafka_password.get_secret_value():
        return KafkaCredential(username, settings.kafka_password)
    return read_credential(settings.credentials_dir, username)


def client_options(settings: Settings, role: str) -> dict[str, object]:
    """kafka-python keyword arguments that authenticate a client of `role` (see principals.Role)."""
    if settings.kafka_security == "plaintext":
        return dict(PLAINTEXT)
    credential = login(settings, role)
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": SCRAM_MECHANISM,
        "sasl_plain_username": credential.username,
        "sasl_plain_password": credential.password.get_secret_value(),
        "ssl_cafile": str(settings.ca_file),
    }


def login_name(options: Mapping[str, object]) -> str:
    """The user a set of options logs in as, for messages ("anonymous" on a plaintext client)."""
    return str(options.get("sasl_plain_username") or "anonymous")


def librdkafka_config(settings: Settings, role: str) -> dict[str, str]:
    """The same login as confluent-kafka (librdkafka) configuration keys, as in the credential files."""
    if settings.kafka_security == "plaintext":
        return {"bootstrap.servers": settings.kafka_bootstrap, "security.protocol": "PLAINTEXT"}
    credential = login(settings, role)
    return {
        "bootstrap.servers": settings.kafka_bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanisms": SCRAM_MECHANISM,
        "sasl.username": credential.username,
        "sasl.password": credential.password.get_secret_value(),
        "ssl.ca.location": str(settings.ca_file),
    }
