"""The materializer loop with fakes: dead letters keep the partition flowing, the store commits first."""

from __future__ import annotations

import threading

import pytest
from structlog.testing import capture_logs

from consumers.backoff import Backoff
from consumers.materializer import Materializer
from consumers.source import InboundRecord
from consumers.store_errors import StoreUnavailable
from schemas.codec import CaseEventCodec
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from tests.factories import opened, penalty
from tests.fakes import ListSink, ListSource, MemoryCaseStore

CODEC = CaseEventCodec()
TOPIC = "casehub.cases.qltt"


def record(offset: int, value: bytes | None, topic: str = TOPIC, partition: int = 0) -> InboundRecord:
    """A record keyed as publishers key it: by the case id (bytes that do not decode get a dummy key)."""
    try:
        key = CODEC.decode(value).case_id.encode() if value else b"key"
    except CasehubError:
        key = b"key"
    return InboundRecord(topic, partition, offset, key, value)


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
    with pytest.raises(StoreUnavailable):
        materializer.process(batch)
    assert source.commits == []
    assert store.state.events == {}
    materializer.process(batch)
    assert source.commits == [{(TOPIC, 0): 1}]
    assert set(store.state.cases) == {"C4"}


def test_a_store_outage_is_waited_out_with_partitions_paused_and_the_batch_retried() -> None:
    materializer, source, store, _sink = build([[record(0, encoded(opened("C5"))), record(1, b"junk")]])
    materializer.backoff = Backoff(initial_s=0.01, maximum_s=0.02)
    store.fail_next_transactions = 3
    stop = threading.Event()
    materializer.run(stop, idle_exit_s=0.05)
    assert store.fail_next_transactions == 0
    assert set(store.state.cases) == {"C5"}
    assert len(store.state.dead_letters) == 1
    assert source.commits == [{(TOPIC, 0): 2}]
    assert source.paused is False


def test_replay_turns_a_dead_letter_into_an_event_once_the_code_knows_its_schema() -> None:
    from consumers.dead_letter_replay import replay_dead_letters
    from consumers.decoding import RecordDecoder
    from schemas.catalog import SchemaCatalog, bundled_catalog

    first_version_only = CaseEventCodec(SchemaCatalog([bundled_catalog().by_id(1)]))
    message = CODEC.encode(opened("C6"))
    assert message[1:5] != b"\x00\x00\x00\x01", "the message must carry a schema id the old code lacks"
    source, store, sink = ListSource([[record(0, message)]]), MemoryCaseStore(), ListSink()
    old = Materializer(source=source, store=store, dead_letter_sink=sink, codec=first_version_only, group="g")
    old.process(source.poll(0))
    assert [d.error_class for d in sink.published] == ["UnknownSchemaError"]

    report = replay_dead_letters(store, RecordDecoder(codec=CODEC, group="g"))
    assert (len(report.resolved), len(report.still_failing)) == (1, 0)
    assert set(store.state.cases) == {"C6"}
    assert store.dead_letters(pending_only=True) == []
    assert replay_dead_letters(store, RecordDecoder(codec=CODEC, group="g")).replayed == 0


def test_replay_keeps_still_failing_letters_pending_with_a_renewed_reason() -> None:
    from consumers.dead_letter_replay import replay_dead_letters
    from consumers.decoding import RecordDecoder

    materializer, source, store, _sink = build([[record(0, b"garbage")]])
    materializer.process(source.poll(0))
    report = replay_dead_letters(store, RecordDecoder(codec=CODEC, group="g"))
    assert len(report.still_failing) == 1
    (pending,) = store.dead_letters(pending_only=True)
    assert pending.replay_attempts == 1
    assert "magic byte" in pending.letter.error_message


def test_an_unreachable_registry_is_waited_out_not_blamed_on_the_message() -> None:
    from schemas.outages import RegistryUnavailable

    class FlakyRegistryCodec(CaseEventCodec):
        def __init__(self, failures: int) -> None:
            super().__init__()
            self.failures = failures

        def decode(self, data: bytes):  # type: ignore[no-untyped-def]
            if self.failures:
                self.failures -= 1
                raise RegistryUnavailable("registry http://registry:8081 did not answer")
            return super().decode(data)

    codec = FlakyRegistryCodec(failures=2)
    source, store, sink = ListSource([[record(0, encoded(opened("C7")))]]), MemoryCaseStore(), ListSink()
    materializer = Materializer(source=source, store=store, dead_letter_sink=sink, codec=codec, group="g")
    materializer.backoff = Backoff(initial_s=0.01, maximum_s=0.02)
    materializer.run(threading.Event(), idle_exit_s=0.05)
    assert sink.published == [] and store.state.dead_letters == {}
    assert set(store.state.cases) == {"C7"}


def _refusing(store_refuses: str) -> tuple[Materializer, ListSource, MemoryCaseStore, ListSink]:
    materializer, source, _store, sink = build([])
    store = MemoryCaseStore(
        refuse=lambda e: "numeric field overflow (fake)" if e.case_id == store_refuses else None
    )
    materializer.store = store
    return materializer, source, store, sink


def test_an_event_the_store_refuses_is_dead_lettered_with_its_reason_and_the_rest_is_stored() -> None:
    batch = [
        record(0, encoded(opened("C5"))),
        record(1, encoded(opened("BAD"))),
        record(2, encoded(penalty("C5"))),
        record(3, encoded(opened("C6"))),
    ]
    materializer, _source, store, sink = _refusing("BAD")
    materializer.process(batch)
    assert set(store.state.cases) == {"C5", "C6"}
    assert len(store.state.events) == 3
    assert [(d.offset, d.error_class) for d in sink.published] == [(1, "StoreRejected")]
    assert "numeric field overflow" in sink.published[0].error_message
    assert [d.offset for d in store.state.dead_letters.values()] == [1]
    assert store.stored_offsets("g") == {(TOPIC, 0): 4}


def test_an_event_id_reused_with_other_content_is_dead_lettered_and_the_first_kept() -> None:
    first = opened("C7")
    reused = first.model_copy(update={"case_id": "C8"})
    materializer, source, store, sink = build([[record(0, encoded(first))], [record(1, encoded(reused))]])
    materializer.process(source.poll(0))
    materializer.process(source.poll(0))
    assert store.state.events[str(first.event_id)].case_id == "C7"
    assert [(d.offset, d.error_message) for d in sink.published] == [
        (1, "event id already stored with other content")
    ]
    assert store.stored_offsets("g") == {(TOPIC, 0): 2}


def test_a_store_that_recovers_is_logged_and_a_long_retry_makes_the_consumer_not_ready() -> None:
    materializer, _source, store, _sink = build([[record(0, encoded(opened("C6")))]])
    materializer.backoff = Backoff(initial_s=0.01, maximum_s=0.02)
    materializer.liveness.stall_after_s = 0.0  # any retry counts as stuck, for the check below
    problems: list[str | None] = []
    real_write = materializer._write

    def write_and_look(*batch):  # type: ignore[no-untyped-def]
        problems.append(materializer.liveness.problem())
        return real_write(*batch)

    materializer._write = write_and_look  # type: ignore[method-assign]
    store.fail_next_transactions = 2
    with capture_logs() as logs:
        materializer.run(threading.Event(), idle_exit_s=0.05)
    assert len(problems) == 3  # two failed attempts, then the one that went through
    assert problems[-1] is not None and problems[-1].startswith("materializer has retried the same batch")
    [recovered] = [line for line in logs if line["event"] == "outage_recovered"]
    assert recovered["outage"] == "StoreUnavailable" and recovered["waited_s"] >= 0
    assert materializer.liveness.problem() == "materializer stopped: exited"


def test_a_crash_in_the_loop_is_kept_as_the_reason_the_consumer_is_not_ready() -> None:
    materializer, _source, _store, _sink = build([[record(0, encoded(opened("C7")))]])

    def broken(_topic: str) -> str | None:
        raise RuntimeError("boom\nsecond line")

    materializer.decoder.topic_agency = broken
    with pytest.raises(RuntimeError):
        materializer.run(threading.Event(), idle_exit_s=0.05)
    assert materializer.liveness.problem() == "materializer stopped: RuntimeError: boom"


def test_a_done_batch_leaves_no_remembered_payloads_behind() -> None:
    """The decoder's side table of typed payloads spans one batch: what outlives a batch is what the
    collector walks after it (consumers/heap.py)."""
    from consumers.event_types import registry

    registry.forget_payloads()
    materializer, source, store, _ = build(
        [[record(0, encoded(opened("C9"))), record(1, encoded(penalty("C9")))]]
    )
    decoded = materializer.decoder.decode(source.poll(0))
    assert len(registry._DECODED) == 2  # the fold of this batch reads them instead of validating again
    materializer.decoder.batch_done()
    assert registry._DECODED == {}
    materializer.process([record(2, encoded(penalty("C9", fine=2_000_000)))])
    assert registry._DECODED == {}
    assert len(decoded.events) == 2 and len(store.state.events) == 1
