"""Kafka clients never connect in their constructors: building one against an address where nothing
listens costs nothing and raises nothing; the first use (or `start`) says BrokerUnavailable in one line,
and closing a client that never connected is a no-op."""

from __future__ import annotations

import pytest

from consumers.kafka_io import KafkaRecordSource
from consumers.log_replay import LogReplaySource
from deploy.kafka_broker import free_port
from schemas.outages import BrokerUnavailable
from services.ops.kafka_offsets import KafkaClusterOffsets


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
