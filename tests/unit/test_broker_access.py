"""The principal/ACL table, the credential files and the client options, without a broker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from deploy.broker.properties import NodeAddress, replication_settings, server_properties
from deploy.broker.security import BrokerSecurity
from deploy.broker.tls import ensure_tls
from schemas.reference.agencies import publishing_agencies
from services.broker_access.client_options import client_options, librdkafka_config
from services.broker_access.credentials import (
    CredentialsError,
    KafkaCredential,
    check_username,
    read_credential,
    write_credential,
)
from services.broker_access.principals import Operation, ResourceKind, Role, grants, principals, readers_of
from services.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Explicit paths: a test session's CASEHUB_KAFKA_* (the integration broker's) must not leak in."""
    return Settings(
        home=tmp_path,
        kafka_security="sasl_ssl",
        kafka_credentials_dir=tmp_path / "credentials",
        kafka_ca_file=tmp_path / "tls" / "ca.pem",
        kafka_username="",
    )


def test_every_publishing_agency_is_a_principal_writing_only_its_own_topic(settings: Settings) -> None:
    table = grants(settings)
    for agency in publishing_agencies():
        writes = {g.name for g in table if g.principal == agency and g.operation is Operation.WRITE}
        assert writes == {settings.agency_topic(agency)}
        reads = {g.name for g in table if g.principal == agency and g.operation is Operation.READ}
        assert reads == {settings.alerts_topic_of(agency), f"{agency}."}  # its alerts, its groups


def test_only_the_hub_consumers_read_any_case_topic(settings: Settings) -> None:
    table = grants(settings)
    for agency in publishing_agencies():
        assert readers_of(settings.agency_topic(agency), table) == {"materializer", "entities"}
    assert readers_of(settings.agency_topic("police"), table) == {"materializer", "entities"}


def test_ops_describes_everything_and_reads_only_the_commit_log(settings: Settings) -> None:
    ops = {g for g in grants(settings) if g.principal == "ops"}
    assert {g.name for g in ops if g.operation is Operation.READ} == {"__consumer_offsets"}
    assert {(g.resource, g.name) for g in ops if g.operation is Operation.DESCRIBE} == {
        (ResourceKind.TOPIC, "*"),
        (ResourceKind.GROUP, "*"),
    }


def test_the_admin_has_no_acl_and_is_the_only_super_user(settings: Settings, tmp_path: Path) -> None:
    assert all(g.principal != "admin" for g in grants(settings))
    assert [p.name for p in principals(settings) if p.role is Role.ADMIN] == ["admin"]
    security = BrokerSecurity(ensure_tls(tmp_path / "tls"), "admin", SecretStr("pw"))
    props = server_properties(NodeAddress(1, "127.0.0.1", 1, 2), (), tmp_path, security)
    assert props["super.users"] == "User:admin;User:CN=casehub-broker"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert "PLAINTEXT" not in props["listener.security.protocol.map"]


def test_the_broker_is_given_whole_paths_whatever_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker's JVM runs in its data directory: a path relative to ours would name nothing there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CASEHUB_HOME", raising=False)
    assert Settings().home == tmp_path / ".casehub"
    security = BrokerSecurity(ensure_tls(Path(".casehub/tls")), "admin", SecretStr("pw"))
    props = server_properties(NodeAddress(1, "127.0.0.1", 1, 2), (), Path("kraft"), security)
    for key in ("ssl.keystore.location", "ssl.truststore.location", "log.dirs"):
        assert Path(props[key]).is_absolute(), key
        assert Path(props[key]).is_relative_to(tmp_path), key
    assert Path(props["ssl.keystore.location"]).exists()


def test_replication_follows_the_broker_count() -> None:
    assert replication_settings(1)["default.replication.factor"] == "1"
    three = replication_settings(3)
    assert (three["default.replication.factor"], three["min.insync.replicas"]) == ("3", "2")
    assert three["unclean.leader.election.enable"] == "false"


def test_credential_files_are_owner_only_and_round_trip(settings: Settings) -> None:
    credential = KafkaCredential("qltt", SecretStr("p@ss=word;"))
    path = write_credential(settings.credentials_dir, credential, "h:1", settings.ca_file)
    assert path.stat().st_mode & 0o777 == 0o600
    assert settings.credentials_dir.stat().st_mode & 0o777 == 0o700
    assert read_credential(settings.credentials_dir, "qltt") == credential
    options = client_options(settings, "qltt")
    assert options["sasl_plain_password"] == "p@ss=word;"
    assert librdkafka_config(settings, "qltt")["sasl.username"] == "qltt"


def test_a_credential_file_others_can_read_is_refused(settings: Settings) -> None:
    path = write_credential(
        settings.credentials_dir, KafkaCredential("tax", SecretStr("x")), "h:1", settings.ca_file
    )
    os.chmod(path, 0o644)
    with pytest.raises(CredentialsError, match="readable by others"):
        read_credential(settings.credentials_dir, "tax")


def test_a_missing_credential_says_how_to_make_one(settings: Settings) -> None:
    with pytest.raises(CredentialsError, match="casehub agencies credentials"):
        client_options(settings, "police")


def test_plaintext_is_only_what_settings_explicitly_ask_for(tmp_path: Path) -> None:
    assert Settings.model_fields["kafka_security"].default == "sasl_ssl"
    assert client_options(Settings(home=tmp_path, kafka_security="plaintext"), "qltt") == {
        "security_protocol": "PLAINTEXT"
    }


@given(st.text(max_size=80))
def test_user_names_are_either_safe_or_refused(name: str) -> None:
    """NUL, '/', '=', ']' , spaces, '..' would break the SCRAM bootstrap, JAAS or the file path."""
    try:
        checked = check_username(name)
    except CredentialsError:
        return
    assert checked == name and "/" not in name and "\0" not in name and "=" not in name
    assert not name.startswith(".") and 0 < len(name) <= 64


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=60)
)
def test_any_password_survives_the_file(tmp_path_factory: pytest.TempPathFactory, password: str) -> None:
    directory = tmp_path_factory.mktemp("creds")
    stripped = password.strip()
    credential = KafkaCredential("customs", SecretStr(stripped))
    write_credential(directory, credential, "h:1", directory / "ca.pem")
    if stripped:
        assert read_credential(directory, "customs").password.get_secret_value() == stripped
    else:
        with pytest.raises(CredentialsError):
            read_credential(directory, "customs")
