"""The materializer loop with fakes: dead letters keep the partition flowing, the store commits first."""

from __future__ import annotations

import pytest

from consumers.materializer import Materializer
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from tests.factories import opened, penalty
from tests.fakes import ListSink, ListSource, MemoryCaseStore

CODEC = CaseEventCodec()
TOPIC = "casehub.cases.qltt"


def record(offset: int, value: bytes | None, topic: str = TOPIC, partition: int = 0) -> InboundRecord:
    return InboundRecord(topic, partition, offset, b"key", value)


def encoded(event: CaseEvent) -> bytes:
    return CODEC.encode(event)


def build(batches: list[list[InboundRecord]]) -> tuple[Materializer, ListSource, MemoryCaseStore, ListSink]:
    source, store, sink = ListSource(batches), MemoryCaseStore(), ListSink()
    agency_of = {TOPIC: "qltt", "casehub.cases.tax": "tax"}.get
    materializer = Materializer(
        source=source, store=store, dead_letter_sink=sink, codec=CODEC, group="g", topic_agency=agency_of
    )
    return materializer, source, store, sink


def test_poison_messages_go_to_dead_letters_and_good_ones_still_flow() -> None:
    batch = [
        record(0, encoded(opened("C1"))),
        record(1, b"\xde\xad\xbe\xef"),
        record(2, None),
        record(3, encoded(penalty("C1"))),
    ]
    materializer, source, store, sink = build([batch])
    materializer.process(source.poll(0))
    assert set(store.state.cases) == {"C1"}
    assert len(store.state.events) == 2
    assert [(d.offset, d.error_class) for d in sink.published] == [
        (1, "DecodeError"),
        (2, "ContractViolation"),
    ]
    assert len(store.state.dead_letters) == 2
    assert source.commits == [{(TOPIC, 0): 4}]
    assert store.stored_offsets("g") == {(TOPIC, 0): 4}


def test_an_event_on_another_agencys_topic_is_rejected_as_spoofed() -> None:
    materializer, source, store, sink = build(
        [[record(0, encoded(opened("C2", agency="qltt")), topic="casehub.cases.tax")]]
    )
    materializer.process(source.poll(0))
    assert store.state.events == {}
    assert "may not publish" in sink.published[0].error_message


def test_the_same_event_twice_is_stored_once() -> None:
    event = opened("C3")
    materializer, source, store, _ = build(
        [[record(0, encoded(event)), record(1, encoded(event))], [record(2, encoded(event))]]
    )
    materializer.process(source.poll(0))
    materializer.process(source.poll(0))
    assert list(store.state.events) == [str(event.event_id)]
    assert store.state.cases["C3"].event_count == 1


def test_nothing_is_committed_to_kafka_when_the_store_fails() -> None:
    materializer, source, store, _sink = build([[record(0, encoded(opened("C4")))]])
    store.fail_next_transactions = 1
    batch = source.poll(0)
    with pytest.raises(ConnectionError):
        materializer.process(batch)
    assert source.commits == []
    assert store.state.events == {}
    materializer.process(batch)
    assert source.commits == [{(TOPIC, 0): 1}]
    assert set(store.state.cases) == {"C4"}
