"""The entity linker on the one tracking loop, with the in-memory entity store: the same outage and poison
policy as the materializer — an outage is waited out and the batch retried, a refused sighting becomes a
dead letter of the entity group, decode failures are left to the materializer, offsets ride the batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.backoff import Backoff
from consumers.entity.follower import EntityFollower
from consumers.entity.keys import Sighting
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.entity.store_port import EntityTransaction
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from schemas.payloads import SubjectIdentified
from tests.entity_fakes import MemoryEntityStore
from tests.factories import event, opened
from tests.fakes import ListSource

CODEC = CaseEventCodec()
TOPIC = "casehub.cases.qltt"


class RefusingLinker(EntityLinker):
    """Plays an entity store that cannot hold one subject's keys."""

    def link(self, tx: EntityTransaction, sightings: Sequence[Sighting]) -> LinkReport:
        if any(s.subject_id == "S-POISON" for s in sightings):
            raise ValueError("value too long for type character varying(512) (played)")
        return super().link(tx, sightings)


def seller_records(*subjects: str) -> list[InboundRecord]:
    events = [
        event(SubjectIdentified(subject_id=s, phone="0912 345 678"), case_id=f"VN-E-{n}")
        for n, s in enumerate(subjects)
    ]
    return [InboundRecord(TOPIC, 0, n, e.case_id.encode(), CODEC.encode(e)) for n, e in enumerate(events)]


def follower(
    store: MemoryEntityStore, source: ListSource, linker: EntityLinker | None = None
) -> EntityFollower:
    return EntityFollower(
        source=source,
        store=store,
        codec=CODEC,
        group="entities",
        linker=linker or EntityLinker(cap=20),
        backoff=Backoff(initial_s=0.01, maximum_s=0.02),
    )


def test_a_refused_sighting_is_a_dead_letter_of_the_entity_group_and_the_others_are_linked() -> None:
    store, source = MemoryEntityStore(), ListSource([])
    report = follower(store, source, RefusingLinker(cap=20)).process(seller_records("S-A", "S-POISON", "S-B"))
    members = store.state.members
    assert set(members) == {"S-A", "S-B"} and members["S-A"] == members["S-B"] and report.merges == 1
    [letter] = store.state.dead_letters.values()
    assert (letter.consumer_group, letter.offset, letter.error_class) == ("entities", 1, "StoreRejected")
    assert "varying(512) (played)" in letter.error_message
    assert store.stored_offsets("entities") == {(TOPIC, 0): 3} and source.commits == [{(TOPIC, 0): 3}]


def test_records_the_decoder_rejects_are_skipped_here_the_materializer_keeps_them() -> None:
    store, source = MemoryEntityStore(), ListSource([])
    records = [
        *seller_records("S-A"),
        InboundRecord(TOPIC, 0, 1, b"key", b"\xde\xad"),
        InboundRecord(TOPIC, 0, 2, b"VN-C1", CODEC.encode(opened("VN-C1"))),
    ]
    follower(store, source).process(records)
    assert set(store.state.members) == {"S-A"} and store.state.dead_letters == {}
    assert store.stored_offsets("entities") == {(TOPIC, 0): 3}


def test_an_entity_store_outage_is_waited_out_and_the_same_batch_linked_once() -> None:
    store, source = MemoryEntityStore(), ListSource([seller_records("S-A", "S-B")])
    consumer = follower(store, source)
    store.fail_next_transactions = 2
    stats = consumer.run(threading.Event(), idle_exit_s=0.05)
    assert stats.batches == 1 and stats.sightings == 2 and stats.merges == 1
    assert consumer.liveness.problem() == "entity consumer stopped: exited"
    assert store.stored_offsets("entities") == {(TOPIC, 0): 2} and source.commits == [{(TOPIC, 0): 2}]
    assert len({entity for entity in store.state.members.values()}) == 1


def test_a_replayed_batch_changes_nothing_the_offsets_and_links_are_already_there() -> None:
    store = MemoryEntityStore()
    records = seller_records("S-A", "S-B")
    follower(store, ListSource([])).process(records)
    before = (dict(store.state.members), list(store.state.history))
    again = follower(store, ListSource([])).process(records)
    assert (again.merges, again.splits, again.moved_subjects) == (0, 0, 0)
    assert (store.state.members, store.state.history) == before


class PoisonListLinker(EntityLinker):
    """Refuses any group holding one of the `poison` subjects (a store that cannot take their keys)."""

    def __init__(self, poison: set[str]) -> None:
        super().__init__(cap=20)
        self.poison = poison

    def link(self, tx: EntityTransaction, sightings: Sequence[Sighting]) -> LinkReport:
        if any(s.subject_id in self.poison for s in sightings):
            raise ValueError("played refusal")
        return super().link(tx, sightings)


@settings(max_examples=30, deadline=None)
@given(
    poisoned=st.lists(st.booleans(), min_size=1, max_size=24),
    cut=st.integers(min_value=1, max_value=24),
    outages=st.integers(min_value=0, max_value=2),
)
def test_any_mix_of_refused_sightings_and_outages_loses_nothing_and_links_the_rest(
    poisoned: list[bool], cut: int, outages: int
) -> None:
    subjects = [f"S-{n}" for n in range(len(poisoned))]
    poison = {s for s, bad in zip(subjects, poisoned, strict=True) if bad}
    records = seller_records(*subjects)
    store = MemoryEntityStore()
    source = ListSource([records[start : start + cut] for start in range(0, len(records), cut)])
    consumer = follower(store, source, PoisonListLinker(poison))
    store.fail_next_transactions = outages
    consumer.run(threading.Event(), idle_exit_s=0.01)
    assert set(store.state.members) == set(subjects) - poison
    assert {letter.offset for letter in store.state.dead_letters.values()} == {
        n for n, bad in enumerate(poisoned) if bad
    }
    assert store.stored_offsets("entities") == {(TOPIC, 0): len(records)}
    assert len(set(store.state.members.values())) <= 1  # everyone shares the phone: one entity
