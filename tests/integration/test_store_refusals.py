"""Whatever the store refuses is isolated on the real databases: the refused record is dead-lettered with
the database's own reason, the rest of the batch and the offsets are committed, nothing stalls."""

from __future__ import annotations

import pickle
import threading
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from consumers.decoding import RecordDecoder
from consumers.materializer import Materializer
from consumers.projections import stored_event
from consumers.records import StoredEvent
from consumers.source import InboundRecord
from consumers.store_errors import EventsRejected
from schemas import bounds
from schemas.codec import CaseEventCodec
from schemas.payloads import PAYLOAD_TYPES, AnyPayload, PenaltyDecided
from services.store.sql_store import CASES, DEAD_LETTERS, EVENTS, SqlCaseStore
from tests.contract_bounds import at_the_bounds
from tests.factories import event, full_payloads, opened, penalty
from tests.fakes import ListSink, ListSource

pytestmark = pytest.mark.integration
TOPIC = "casehub.cases.qltt"


class TrustingDecoder(RecordDecoder):
    """Plays a contract with a hole in it: records carry ready-made events that nothing checks."""

    def decode_record(self, record: InboundRecord) -> StoredEvent:
        event: StoredEvent = pickle.loads(record.value or b"")
        return replace(
            event, source_topic=record.topic, source_partition=record.partition, source_offset=record.offset
        )


def _materializer(
    engine: Engine, decoder_cls: type[RecordDecoder] = TrustingDecoder
) -> tuple[Materializer, ListSink]:
    sink = ListSink()
    materializer = Materializer(
        source=ListSource([]),
        store=SqlCaseStore(engine),
        dead_letter_sink=sink,
        codec=CaseEventCodec(),
        group="g",
    )
    materializer.decoder = decoder_cls(codec=CaseEventCodec(), group="g")
    return materializer, sink


def _records(events: list[StoredEvent]) -> list[InboundRecord]:
    return [InboundRecord(TOPIC, 0, n, e.case_id.encode(), pickle.dumps(e)) for n, e in enumerate(events)]


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_events_the_database_refuses_are_dead_lettered_with_its_reason_and_the_rest_committed(
    migrated_engine: Engine,
) -> None:
    good = [stored_event(opened(f"C{n}"), TOPIC, 0, 0) for n in range(6)]
    overflowing = stored_event(penalty("C1"), TOPIC, 0, 0)
    overflowing = replace(overflowing, payload={**overflowing.payload, "fine_vnd": 2**64})
    too_long_id = stored_event(opened("C2"), TOPIC, 0, 0)
    too_long_id = replace(too_long_id, case_id="L" * 300)
    batch = [*good[:3], overflowing, *good[3:], too_long_id]
    materializer, sink = _materializer(migrated_engine)

    materializer.process(_records(batch), threading.Event())

    refused_offsets = {3} | ({7} if migrated_engine.dialect.name == "postgresql" else set())
    assert {d.offset for d in sink.published} == refused_offsets
    assert all(d.error_class == "StoreRejected" for d in sink.published)
    assert _count(migrated_engine, DEAD_LETTERS) == len(refused_offsets)
    assert _count(migrated_engine, EVENTS) == len(batch) - len(refused_offsets)
    assert materializer.store.stored_offsets("g") == {(TOPIC, 0): len(batch)}


def test_two_amounts_that_overflow_a_case_total_together_leave_the_first_stored(
    migrated_engine: Engine,
) -> None:
    first = stored_event(penalty("C9", fine=bounds.MAX_VND), TOPIC, 0, 0)
    second = stored_event(penalty("C9", fine=bounds.MAX_VND, minutes=90), TOPIC, 0, 1)
    materializer, sink = _materializer(migrated_engine)
    materializer.process(_records([first, second]), threading.Event())
    assert [d.offset for d in sink.published] == [1]
    assert "above the 1,000,000,000,000,000 VND bound" in sink.published[0].error_message
    with migrated_engine.connect() as connection:
        assert connection.execute(select(CASES.c.total_fines_vnd)).scalar_one() == bounds.MAX_VND


def _uncited(payload: AnyPayload) -> AnyPayload:
    """A penalty without its legal basis: no legal maximum applies, only the contract's MAX_VND."""
    if isinstance(payload, PenaltyDecided):
        return payload.model_copy(update={"legal_basis": None})
    return payload


def test_every_event_type_at_the_contracts_bounds_is_stored_by_every_store(migrated_engine: Engine) -> None:
    """Whatever the contract accepts, the database accepts: longest strings, widest characters, largest
    amounts (one case per event: a seizure of two items at the maximum is already above a case's bound)."""
    codec = CaseEventCodec()
    events = [
        event(at_the_bounds(_uncited(payload)), case_id=f"{n:02d}" + "X" * 62)
        for n, payload in enumerate(full_payloads().values())
    ]
    assert len(events) == len(PAYLOAD_TYPES)
    records = [InboundRecord(TOPIC, 0, n, e.case_id.encode(), codec.encode(e)) for n, e in enumerate(events)]
    materializer, sink = _materializer(migrated_engine, RecordDecoder)
    materializer.process(records, threading.Event())
    assert [(d.offset, d.error_message) for d in sink.published] == []
    assert _count(migrated_engine, EVENTS) == len(events)


def test_an_event_id_reused_with_other_content_is_refused_by_name(migrated_engine: Engine) -> None:
    store = SqlCaseStore(migrated_engine)
    original = stored_event(opened("C20"), TOPIC, 0, 0)
    redelivered = replace(original, source_offset=5)
    reused = replace(original, case_id="C21", source_offset=6)
    with store.transaction() as tx:
        tx.add_events([original])
    with store.transaction() as tx:
        assert tx.add_events([redelivered]) == []
    with pytest.raises(EventsRejected) as refused, store.transaction() as tx:
        tx.add_events([reused])
    assert refused.value.reasons == {original.event_id: "event id already stored with other content"}
