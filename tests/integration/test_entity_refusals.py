"""The entity consumer isolates what its store refuses: the sighting is kept as a dead letter of the entity
group with the reason, every other seller is linked and the group's offsets move on (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, select

from consumers.entity.follower import EntityFollower
from consumers.entity.keys import Sighting
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.entity.store_port import EntityTransaction
from consumers.source import InboundRecord
from schemas.codec import CaseEventCodec
from schemas.payloads import SubjectIdentified
from services.store import entity_store as db
from services.store.sql_entity_store import SqlEntityStore
from services.store.sql_store import DEAD_LETTERS, SqlCaseStore
from tests.factories import event
from tests.fakes import ListSource

pytestmark = pytest.mark.integration
TOPIC = "casehub.cases.qltt"


class RefusingLinker(EntityLinker):
    """Plays an entity store that cannot hold one subject's keys (as a too-long key once could not)."""

    def link(self, tx: EntityTransaction, sightings: Sequence[Sighting]) -> LinkReport:
        if any(s.subject_id == "S-POISON" for s in sightings):
            raise ValueError("value too long for type character varying(512) (played)")
        return super().link(tx, sightings)


def _records() -> list[InboundRecord]:
    codec = CaseEventCodec()
    subjects = ["S-A", "S-POISON", "S-B"]
    events = [
        event(SubjectIdentified(subject_id=s, phone="0912 345 678"), case_id=f"VN-E-{n}")
        for n, s in enumerate(subjects)
    ]
    return [InboundRecord(TOPIC, 0, n, e.case_id.encode(), codec.encode(e)) for n, e in enumerate(events)]


def test_a_sighting_the_entity_store_refuses_is_dead_lettered_and_the_others_are_linked(
    migrated_engine: Engine,
) -> None:
    follower = EntityFollower(
        source=ListSource([]),
        store=SqlEntityStore(migrated_engine),
        codec=CaseEventCodec(),
        group="casehub-entities-test",
        linker=RefusingLinker(cap=20),
    )
    follower.process(_records())
    with migrated_engine.connect() as connection:
        members = db.all_members(connection)
        letters = list(
            connection.execute(
                select(DEAD_LETTERS.c.consumer_group, DEAD_LETTERS.c.offset, DEAD_LETTERS.c.error_message)
            )
        )
    assert set(members) == {"S-A", "S-B"} and members["S-A"] == members["S-B"]
    assert [(g, o) for g, o, _m in letters] == [("casehub-entities-test", 1)]
    assert "varying(512) (played)" in letters[0][2]
    assert SqlCaseStore(migrated_engine).stored_offsets("casehub-entities-test") == {(TOPIC, 0): 3}
