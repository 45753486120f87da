"""Kafka clients never connect in their constructors: building one against an address where nothing
listens costs nothing and raises nothing; the first use (or `start`) says BrokerUnavailable in one line,
and closing a client that never connected is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from consumers.kafka_io import KafkaRecordSource
from consumers.log_replay import LogReplaySource
from deploy.kafka_broker import free_port
from producers.outbox_relay import OutboxRelay
from producers.publisher import Publisher
from schemas.outages import BrokerUnavailable, reaching_kafka
from services.bootstrap import build_publisher
from services.ops.kafka_offsets import KafkaClusterOffsets
from services.settings import Settings
from tests.factories import opened


def test_a_record_source_connects_on_start_not_when_built() -> None:
    address = f"127.0.0.1:{free_port()}"
    source = KafkaRecordSource(
        bootstrap=address,
        group="g",
        topic_pattern="^t$",
        stored_offsets=dict,
        connect_timeout_s=0.5,
        security={"security_protocol": "PLAINTEXT"},
    )
    assert source.owned() == set()
    source.close()  # nothing opened: nothing to close
    with pytest.raises(BrokerUnavailable, match=f"cannot reach Kafka at {address}"):
        source.start()
    with pytest.raises(BrokerUnavailable):
        source.poll(timeout_s=0.1)


def test_the_cluster_offsets_reader_connects_on_first_use() -> None:
    address = f"127.0.0.1:{free_port()}"
    reader = KafkaClusterOffsets(address, timeout_s=0.5, security={"security_protocol": "PLAINTEXT"})
    reader.close()
    with pytest.raises(BrokerUnavailable):
        reader.groups()


def test_a_log_replay_connects_on_start_not_when_built() -> None:
    address = f"127.0.0.1:{free_port()}"
    replay = LogReplaySource(
        bootstrap=address,
        topic_pattern="^t$",
        connect_timeout_s=0.5,
        security={"security_protocol": "PLAINTEXT"},
    )
    replay.close()
    with pytest.raises(BrokerUnavailable, match=f"cannot reach Kafka at {address}"):
        replay.poll(timeout_s=0.1)


def test_a_publisher_connects_on_start_or_first_publish_not_when_built() -> None:
    address = f"127.0.0.1:{free_port()}"
    publisher = Publisher(
        bootstrap=address,
        topic_of=lambda agency: f"casehub.cases.{agency}",
        connect_timeout_s=0.5,
        security={"security_protocol": "PLAINTEXT"},
    )
    publisher.close()  # nothing opened: nothing to close
    with pytest.raises(BrokerUnavailable, match=f"cannot reach Kafka at {address}"):
        publisher.start()
    with pytest.raises(BrokerUnavailable, match=f"cannot reach Kafka at {address}"):
        publisher.publish([opened("VN-LAZY-1")])
    with publisher:  # a context that never connected leaves without error
        pass


def test_the_hubs_publisher_builder_still_fails_at_once_with_the_broker_down(tmp_path: Path) -> None:
    """Its callers (ingest and upload 503s, the CLI's one line, the referral answer) rely on it."""
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(
        home=tmp_path, kafka_bootstrap=address, kafka_security="plaintext", connect_timeout_s=0.5
    )
    with pytest.raises(BrokerUnavailable, match=f"cannot reach Kafka at {address}"):
        build_publisher(settings, "qltt")


def test_the_outbox_relay_keeps_no_publisher_that_could_not_connect(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    built: list[Publisher] = []

    def connect() -> Publisher:
        built.append(Publisher(bootstrap=address, topic_of=str, connect_timeout_s=0.5))
        return built[-1]

    relay = OutboxRelay(create_engine(f"sqlite:///{tmp_path / 'agency.db'}"), connect)
    with pytest.raises(BrokerUnavailable):
        relay._connect()
    assert relay._publisher is None and len(built) == 1  # the next try builds a fresh one


def test_only_the_client_librarys_errors_become_broker_unavailable() -> None:
    class ClientError(Exception):
        pass

    refused = pytest.raises(BrokerUnavailable, match=r"^cannot reach Kafka at h:1: ClientError$")
    with refused as caught, reaching_kafka("h:1", ClientError):
        raise ClientError("no route")
    assert isinstance(caught.value.__cause__, ClientError)
    with pytest.raises(ValueError, match="a bug"), reaching_kafka("h:1", ClientError):
        raise ValueError("a bug")  # anything else is not an outage: it passes through
