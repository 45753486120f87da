"""Credential files: one per Kafka user, readable by its owner only, in librdkafka's properties format.

Why that format: an agency's own system (confluent-kafka, kcat, anything on librdkafka) can load the
file as it is, and the hub's kafka-python clients read the same file, so there is one credential per
user and no second copy to keep in step. Passwords are generated here (``secrets``), held as
``SecretStr`` in memory and never logged.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from schemas.errors import CasehubError

SCRAM_MECHANISM = "SCRAM-SHA-512"
_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class CredentialsError(CasehubError):
    """A credential file is missing, unreadable, too open or malformed (the message says which)."""


@dataclass(frozen=True)
class KafkaCredential:
    """A Kafka user's login: its name and password (never printed: SecretStr)."""

    username: str
    password: SecretStr


def new_password() -> SecretStr:
    """192 random bits, URL-safe (no character the SCRAM or JAAS syntax would need escaping)."""
    return SecretStr(secrets.token_urlsafe(24))


def check_username(name: str) -> str:
    """A user name the SCRAM bootstrap, JAAS and file names can all carry unquoted."""
    if not name or len(name) > 64 or not set(name) <= _NAME_OK or name.startswith("."):
        raise CredentialsError(f"invalid Kafka user name {name!r}: use 1-64 of [A-Za-z0-9._-]")
    return name


def credential_file(directory: Path, username: str) -> Path:
    return directory / f"{check_username(username)}.properties"


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise CredentialsError(f"a {what} cannot contain a line break")
    return value


def write_credential(directory: Path, credential: KafkaCredential, bootstrap: str, ca_file: Path) -> Path:
    """Write (or replace) the user's file atomically, mode 0600 in a 0700 directory."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    path = credential_file(directory, credential.username)
    body = (
        f"# Kafka login of {credential.username!r} for the casehub broker (librdkafka properties).\n"
        "# Owner-only: anyone who reads this file can act as this user.\n"
        f"bootstrap.servers={bootstrap}\n"
        "security.protocol=SASL_SSL\n"
        f"sasl.mechanisms={SCRAM_MECHANISM}\n"
        f"sasl.username={credential.username}\n"
        f"sasl.password={_one_line(credential.password.get_secret_value(), 'password')}\n"
        f"ssl.ca.location={ca_file.resolve()}\n"
    )
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.replace(staging, path)
    return path


def read_properties(path: Path) -> dict[str, str]:
    """A properties file as a dict; refuses files others can read (a leaked password is no password)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CredentialsError(
            f"no Kafka credentials at {path}; run `casehub agencies credentials` (or `casehub up`)"
        ) from exc
    except OSError as exc:
        raise CredentialsError(f"cannot read Kafka credentials {path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise CredentialsError(f"{path} is readable by others (mode {mode & 0o777:o}); chmod 600 it")
    values: dict[str, str] = {}
    for line in text.split("\n"):  # not splitlines(): it also splits on \x1c-\x1e, \x85, \u2028...
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            raise CredentialsError(f"{path}: not a key=value line: {key[:40]!r}")
        values[key.strip()] = value.strip()
    return values


def read_credential(directory: Path, username: str) -> KafkaCredential:
    """The user's login from its file in `directory`."""
    path = credential_file(directory, username)
    values = read_properties(path)
    password = values.get("sasl.password", "")
    if values.get("sasl.username") != username or not password:
        raise CredentialsError(f"{path} holds no password for Kafka user {username!r}")
    return KafkaCredential(username, SecretStr(password))
