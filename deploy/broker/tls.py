"""A local certificate authority and the broker certificate it signs, made with `cryptography`.

Why generate: the hub must run TLS on a machine that cannot download certificates and has no
PKI; a CA made once per broker home (kept next to the broker's data, key mode 0600) lets every
client verify the broker by its CA file only. The same broker certificate also authenticates
brokers to each other and to the KRaft controllers (mutual TLS on the internal listeners), so its
subject is the super user ``CN=casehub-broker`` the launcher names in ``super.users``.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

BROKER_SUBJECT = "casehub-broker"
"""CN of the broker certificate: the TLS principal ``User:CN=casehub-broker`` of inter-broker traffic."""
_VALID_DAYS = 825


@dataclass(frozen=True)
class TlsFiles:
    """Where a broker home keeps its TLS material (PEM)."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """What clients pass as ``ssl_cafile`` / ``ssl.ca.location``."""
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def broker_keystore(self) -> Path:
        """The broker's private key (PKCS#8) followed by its certificate chain: a Kafka PEM keystore."""
        return self.directory / "broker.pem"

    def exist(self) -> bool:
        return self.ca_cert.exists() and self.ca_key.exists() and self.broker_keystore.exists()


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to a file only its owner can read (created 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ensure_tls(directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> TlsFiles:
    """The CA and broker certificate under `directory`, generated on first use and kept afterwards.

    `hosts` become the broker certificate's subject alternative names (IP addresses or DNS names),
    so clients verify the host name they dialled. Existing material is reused as is: clients keep
    trusting the same CA across restarts.
    """
    files = TlsFiles(Path(directory))
    if files.exist():
        return files
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("casehub local CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    broker_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(BROKER_SUBJECT))
        .issuer_name(ca_name)
        .public_key(broker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    pkcs8 = serialization.PrivateFormat.PKCS8
    clear = serialization.NoEncryption()
    _write_private(files.ca_key, ca_key.private_bytes(pem, pkcs8, clear))
    _write_private(
        files.broker_keystore,
        broker_key.private_bytes(pem, pkcs8, clear)
        + broker_cert.public_bytes(pem)
        + ca_cert.public_bytes(pem),
    )
    files.ca_cert.write_bytes(ca_cert.public_bytes(pem))  # public: clients read it
    return files
