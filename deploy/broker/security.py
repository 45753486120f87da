"""What a secured broker needs to know: its TLS files and the hub admin's SCRAM credential.

Everything else about who may do what (agency users, ACLs) is hub data applied through the admin
API once the broker runs (see ``services/broker_access``); the launcher only bootstraps the one
super user that can apply it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from deploy.broker.tls import BROKER_SUBJECT, TlsFiles

SCRAM_MECHANISM = "SCRAM-SHA-512"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


@dataclass(frozen=True)
class BrokerSecurity:
    """SASL_SSL (SCRAM-SHA-512) for clients and between brokers, mutual TLS to the controllers, ACLs on."""

    tls: TlsFiles
    admin_user: str
    admin_password: SecretStr

    @property
    def super_users(self) -> str:
        """The hub admin, and the brokers themselves (their certificate on the controller listener)."""
        return f"User:{self.admin_user};User:CN={BROKER_SUBJECT}"

    def scram_argument(self) -> str:
        """The admin's credential as StorageTool's ``--add-scram`` wants it (set once, at format time)."""
        return f"{SCRAM_MECHANISM}=[name={self.admin_user},password={self.admin_password.get_secret_value()}]"

    def jaas_config(self) -> str:
        """How a broker logs in to the other brokers (inter-broker traffic runs as the admin)."""
        return (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{self.admin_user}" password="{self.admin_password.get_secret_value()}";'
        )

    def admin_client_options(self) -> dict[str, object]:
        """kafka-python options of a client authenticated as the admin (the launcher's readiness check)."""
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": SCRAM_MECHANISM,
            "sasl_plain_username": self.admin_user,
            "sasl_plain_password": self.admin_password.get_secret_value(),
            "ssl_cafile": str(self.tls.ca_cert),
        }
