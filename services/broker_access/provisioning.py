"""Make a running broker match the table: SCRAM users with their credential files, and the ACLs.

Runs as the hub admin (the broker's only super user) through Kafka's admin API, so it works the
same on the local launcher's broker and on any cluster the admin can reach. Idempotent: a user
whose file exists keeps its password (the broker is told it again), a missing file gets a new one;
creating an ACL that exists is a no-op in Kafka.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import structlog
from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from services.broker_access.client_options import client_options
from services.broker_access.credentials import (
    CredentialsError,
    KafkaCredential,
    credential_file,
    new_password,
    read_credential,
    write_credential,
)
from services.broker_access.principals import (
    Grant,
    Operation,
    PatternKind,
    ResourceKind,
    Role,
    grants,
    principals,
)
from services.kafka_admin import admin_client
from services.settings import Settings

logger = structlog.get_logger()


@dataclass(frozen=True)
class Provisioned:
    """What `provision` did: the users whose credential is now on the broker, and where their files are."""

    files: dict[str, Path]
    created: tuple[str, ...]
    acls: int


def admin_options(settings: Settings) -> dict[str, object]:
    return client_options(settings, Role.ADMIN)


def _to_acl(grant: Grant) -> ACL:
    return ACL(
        principal=f"User:{grant.principal}",
        host="*",
        operation=ACLOperation[grant.operation.value],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(
            ResourceType[grant.resource.value], grant.name, ACLResourcePatternType[grant.pattern.value]
        ),
    )


def _from_acl(acl: ACL) -> Grant | None:
    """The table's form of a broker ACL (None for one the table cannot express, e.g. a DENY)."""
    pattern = acl.resource_pattern
    if acl.permission_type != ACLPermissionType.ALLOW or not str(acl.principal).startswith("User:"):
        return None
    try:
        return Grant(
            principal=str(acl.principal).removeprefix("User:"),
            resource=ResourceKind(pattern.resource_type.name),
            name=pattern.resource_name,
            pattern=PatternKind(pattern.pattern_type.name),
            operation=Operation(acl.operation.name),
        )
    except ValueError:
        return None


def upsert_scram(admin: KafkaAdminClient, credential: KafkaCredential) -> None:
    """Set the user's SCRAM-SHA-512 credential on the broker (sessions already open are not cut)."""
    result = admin.alter_user_scram_credentials(
        [
            UserScramCredentialUpsertion(
                credential.username, ScramMechanism.SCRAM_SHA_512, credential.password.get_secret_value()
            )
        ]
    )
    if error := result.get(credential.username):
        raise CredentialsError(f"the broker refused the credential of {credential.username!r}: {error}")


def apply_acls(admin: KafkaAdminClient, table: Iterable[Grant]) -> int:
    """Create every ACL of `table`; returns how many were sent. A refused one raises, naming it."""
    wanted = sorted(table)
    if not wanted:
        return 0
    result = admin.create_acls([_to_acl(grant) for grant in wanted])
    if result["failed"]:
        raise CredentialsError(f"the broker refused {len(result['failed'])} ACLs: {result['failed'][:3]}")
    return len(wanted)


def describe_grants(admin: KafkaAdminClient) -> frozenset[Grant]:
    """Every ALLOW ACL the broker holds, in the table's form (what `casehub agencies acls` prints)."""
    everything = ACLFilter(
        principal=None,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    acls, _ = admin.describe_acls(everything)
    return frozenset(grant for acl in acls if (grant := _from_acl(acl)) is not None)


def _credential_for(settings: Settings, username: str) -> tuple[KafkaCredential, bool]:
    """The user's credential from its file, or a new one (True) when it has none yet."""
    if credential_file(settings.credentials_dir, username).exists():
        return read_credential(settings.credentials_dir, username), False
    return KafkaCredential(username, new_password()), True


def provision(settings: Settings, bootstrap: str | None = None) -> Provisioned:
    """Every principal's SCRAM user + credential file, and every ACL of the table, on the broker."""
    where = bootstrap or settings.kafka_bootstrap
    admin = admin_client(where, settings.connect_timeout_s, admin_options(settings))
    files: dict[str, Path] = {}
    created: list[str] = []
    try:
        for principal in principals(settings):
            if principal.role is Role.ADMIN:
                continue
            credential, fresh = _credential_for(settings, principal.name)
            upsert_scram(admin, credential)
            files[principal.name] = write_credential(
                settings.credentials_dir, credential, where, settings.ca_file
            )
            if fresh:
                created.append(principal.name)
        count = apply_acls(admin, grants(settings))
    finally:
        admin.close()
    logger.info("kafka_principals_provisioned", users=len(files), new_users=created, acls=count)
    return Provisioned(files, tuple(created), count)


def grant_table(settings: Settings) -> int:
    """Only the ACLs of `settings`' topics and groups (users exist already): cheap, one request."""
    admin = admin_client(settings.kafka_bootstrap, settings.connect_timeout_s, admin_options(settings))
    try:
        return apply_acls(admin, grants(settings))
    finally:
        admin.close()


def rotate(settings: Settings, username: str) -> Path:
    """Give `username` a new password: broker first, then its file.

    No downtime: SCRAM authenticates a connection once, at login, so clients already connected keep
    working; only new logins need the new password, which the file holds from this call on.
    """
    admin = admin_client(settings.kafka_bootstrap, settings.connect_timeout_s, admin_options(settings))
    credential = KafkaCredential(username, new_password())
    try:
        upsert_scram(admin, credential)
    finally:
        admin.close()
    path = write_credential(settings.credentials_dir, credential, settings.kafka_bootstrap, settings.ca_file)
    logger.info("kafka_password_rotated", user=username, file=str(path))
    return path
