"""Contract of the publisher's batch fast path with the installed kafka-python.

An upgrade that moves an internal the fast path uses fails here, naming the attribute, and the
publisher would decline the fast path at start (logged and counted, the public `send` taken)."""

from __future__ import annotations

from collections.abc import Iterator

import kafka
import pytest
from kafka import KafkaProducer

from producers.kafka_batch_fast_path import CONFIG_KEYS, INTERNALS, BatchPath, framing_difference


@pytest.fixture(scope="module")
def producer() -> Iterator[KafkaProducer]:
    """A producer as the publisher configures it; with `api_version` given it needs no broker to exist."""
    made = KafkaProducer(
        bootstrap_servers="127.0.0.1:9", api_version=(3, 0), enable_idempotence=True, acks="all"
    )
    yield made
    made.close(timeout=1)


@pytest.mark.parametrize(
    ("holder", "name"), [(holder, name) for holder, names in INTERNALS.items() for name in names]
)
def test_every_internal_the_fast_path_uses_is_in_the_installed_kafka_python(
    producer: KafkaProducer, holder: str, name: str
) -> None:
    from kafka.producer.producer_batch import ProducerBatch
    from kafka.record.memory_records import MemoryRecordsBuilder
    from kafka.structs import TopicPartition

    records = MemoryRecordsBuilder(2, 0, 1024)
    batch = ProducerBatch(TopicPartition("contract", 0), records)
    objects = {
        "producer": producer,
        "producer._accumulator": getattr(producer, "_accumulator", None),
        "producer._sender": getattr(producer, "_sender", None),
        "MemoryRecordsBuilder": records,
        "MemoryRecordsBuilder._builder": getattr(records, "_builder", None),
        "ProducerBatch": batch,
        "ProducerBatch.produce_future": getattr(batch, "produce_future", None),
    }
    assert hasattr(objects[holder], name), f"kafka-python {kafka.__version__}: {holder}.{name} is gone"


def test_the_accumulator_config_the_fast_path_reads_is_there_in_record_format_2(
    producer: KafkaProducer,
) -> None:
    config = producer._accumulator.config
    missing = [key for key in CONFIG_KEYS if key not in config]
    assert not missing, f"kafka-python {kafka.__version__}: accumulator config lacks {missing}"
    assert config["message_version"] == 2


def test_the_installed_kafka_python_takes_our_batches_and_our_framing(producer: KafkaProducer) -> None:
    assert framing_difference() is None
    assert BatchPath.refusal(producer) is None


def test_an_internal_that_moved_is_a_refusal_naming_it(
    producer: KafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(INTERNALS, "producer._sender", ("wakeup", "add_topic", "drain_everything"))
    refusal = BatchPath.refusal(producer)
    assert (
        refusal == f"kafka-python {kafka.__version__}: producer._sender has no attribute 'drain_everything'"
    )


def test_a_broker_older_than_record_format_2_is_refused(producer: KafkaProducer) -> None:
    old = KafkaProducer(bootstrap_servers="127.0.0.1:9", api_version=(0, 10, 2))
    try:
        assert BatchPath.refusal(old) == "record format v1 (the broker is older than 0.11)"
    finally:
        old.close(timeout=1)
