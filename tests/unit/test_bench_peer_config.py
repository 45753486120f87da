"""The benchmark peer's configuration: the worker's Kafka security, its properties file, its records."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from bench.cpu import process_cpu_seconds
from bench.peer import SCHEMA, connect_record, sink_config
from deploy.connect_plugin import ConnectError
from deploy.connect_worker import PREFIXES, KafkaClientSecurity, _properties
from producers.simulator.simulation import simulate_events


def test_plain_settings_give_a_plaintext_worker() -> None:
    security = KafkaClientSecurity.from_client_options({"security_protocol": "PLAINTEXT"})
    props = security.properties()
    assert {props[f"{p}security.protocol"] for p in PREFIXES} == {"PLAINTEXT"}
    assert not any("sasl" in key or "ssl" in key for key in props)


def test_sasl_ssl_settings_reach_every_client_of_the_worker(tmp_path: Path) -> None:
    options = {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "hub-admin",
        "sasl_plain_password": "s3cret",
        "ssl_cafile": str(tmp_path / "ca.pem"),
    }
    security = KafkaClientSecurity.from_client_options(options)
    props = security.properties()
    for prefix in PREFIXES:
        assert props[f"{prefix}security.protocol"] == "SASL_SSL"
        assert props[f"{prefix}sasl.mechanism"] == "SCRAM-SHA-512"
        assert "ScramLoginModule required" in props[f"{prefix}sasl.jaas.config"]
        assert 'password="s3cret"' in props[f"{prefix}sasl.jaas.config"]
        assert props[f"{prefix}ssl.truststore.location"] == str(tmp_path / "ca.pem")
    assert "s3cret" not in repr(security), "the password never shows in a log line of the settings"


@pytest.mark.parametrize("password", ['a"b', "a\\b", "a\nb", ""])
def test_a_sasl_secret_that_could_break_the_jaas_line_is_refused(password: str) -> None:
    security = KafkaClientSecurity("SASL_SSL", "SCRAM-SHA-512", "hub", SecretStr(password))
    with pytest.raises(ConnectError):
        security.properties()


@given(st.dictionaries(st.from_regex(r"[a-z][a-z.]{0,20}", fullmatch=True), st.text(), max_size=8))
def test_no_value_can_add_a_line_to_the_properties_file(values: dict[str, str]) -> None:
    text = _properties(values)
    assert text.count("\n") == len(values)
    assert "\r" not in text


def test_a_connect_record_carries_its_schema_and_every_log_column() -> None:
    event = next(iter(simulate_events(1, seed=3)))
    record = json.loads(connect_record(event, 41))
    fields = {f["field"] for f in record["schema"]["fields"]}
    assert record["schema"] == SCHEMA
    assert set(record["payload"]) == fields
    assert record["payload"]["event_id"] == str(event.event_id)
    assert record["payload"]["source_offset"] == 41
    assert json.loads(record["payload"]["payload"]) == json.loads(event.payload.model_dump_json())


def test_the_sink_upserts_by_event_id_in_batches_into_the_bench_database() -> None:
    config = sink_config("postgresql+psycopg://bench:pw@127.0.0.1:5544/bench_x", "t")
    assert config["connection.url"] == "jdbc:postgresql://127.0.0.1:5544/bench_x"
    assert (config["insert.mode"], config["primary.key.mode"], config["primary.key.fields"]) == (
        "upsert",
        "record_value",
        "event_id",
    )
    assert 2000 <= int(config["batch.size"]) <= 5000


def test_process_cpu_grows_with_work() -> None:
    before = process_cpu_seconds(os.getpid())
    sum(i * i for i in range(3_000_000))
    assert process_cpu_seconds(os.getpid()) > before
