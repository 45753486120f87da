"""Entity linking on SQLite and PostgreSQL: incremental equals one-shot, the cap and stop-list hold under
adversarial data, and a wrong merge is explained and undone."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from consumers.entity.explain import explain
from consumers.entity.keys import MatchKey, Sighting, sighting_of
from consumers.entity.linker import EntityLinker
from consumers.entity.scoring import pair_scores
from consumers.entity.stoplist import stop_key
from producers.simulator import Simulation
from schemas.payloads import SubjectIdentified
from services.store import entity_store as db
from services.store.engine import make_engine, migrate
from services.store.sql_entity_store import SqlEntityTransaction

pytestmark = pytest.mark.integration
T0 = datetime(2025, 5, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def simulated() -> tuple[list[Sighting], dict[str, str]]:
    simulation = Simulation(389)
    sightings = [
        sighting_of(e.payload.subject_id, str(e.event_id), e.occurred_at, e.payload.model_dump(mode="json"))
        for e in simulation.events(6_000)
        if isinstance(e.payload, SubjectIdentified)
    ]
    return sightings, simulation.ground_truth()["subject_to_seller"]


def sighting(subject_id: str, n: int, **payload: str) -> Sighting:
    return sighting_of(subject_id, f"ev-{subject_id}-{n}", T0 + timedelta(minutes=n), payload)


def link(engine: Engine, linker: EntityLinker, sightings: list[Sighting], size: int) -> None:
    for start in range(0, len(sightings), size):
        with engine.begin() as connection:
            linker.link(SqlEntityTransaction(connection), sightings[start : start + size])


def members(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return db.all_members(connection)


def test_incremental_linking_over_shuffled_batches_equals_a_one_shot_relink(
    migrated_engine: Engine, simulated: tuple[list[Sighting], dict[str, str]]
) -> None:
    sightings, truth = simulated
    hub = [sighting(f"HUB-{i:03d}", i, phone="0987 654 321") for i in range(30)]  # crosses the cap mid-way
    shuffled = sightings + hub
    random.Random(7).shuffle(shuffled)
    linker = EntityLinker(cap=20)
    link(migrated_engine, linker, shuffled, 97)
    incremental = members(migrated_engine)
    with migrated_engine.begin() as connection:
        report = linker.relink_all(SqlEntityTransaction(connection))
    assert report.moved_subjects == 0 and members(migrated_engine) == incremental
    assert len(set(incremental.values())) < len(incremental)  # something was linked
    assert all(incremental[f"HUB-{i:03d}"] != incremental["HUB-000"] for i in range(1, 30))
    scores = pair_scores(incremental, truth)
    assert scores.recall > 0.6 and scores.precision > 0.5


def test_one_batch_and_many_batches_in_another_order_give_the_same_entities(
    migrated_engine: Engine, database_url: str, simulated: tuple[list[Sighting], dict[str, str]]
) -> None:
    sightings = simulated[0][:1500]
    link(migrated_engine, EntityLinker(cap=20), sightings, len(sightings))
    at_once = members(migrated_engine)
    other = make_engine(database_url.replace("casehub.db", "other.db")) if "sqlite" in database_url else None
    if other is None:  # PostgreSQL: start again in the same database
        with migrated_engine.begin() as connection:
            for table in (db.MEMBERS, db.IDENTIFIERS, db.LINKS, db.STATE):
                connection.execute(table.delete())
        other = migrated_engine
    migrate(other)
    backwards = list(reversed(sightings))
    link(other, EntityLinker(cap=20), backwards, 50)
    assert members(other) == at_once


def test_one_phone_on_ten_thousand_subjects_links_none_of_them(migrated_engine: Engine) -> None:
    linker = EntityLinker(cap=20)
    placeholder_like = [sighting(f"S{i:05d}", i, phone="0912 000 000") for i in range(10_000)]
    real = [
        sighting("S00001", 20_000, tax_code="0101234567"),
        sighting("REAL", 20_001, tax_code="0101234567"),
    ]
    link(migrated_engine, linker, placeholder_like[:15], 15)  # under the cap: linked for now
    assert len(set(members(migrated_engine).values())) == 1
    link(migrated_engine, linker, placeholder_like[15:] + real, 2_500)
    found = members(migrated_engine)
    assert len(found) == 10_001
    assert found["S00001"] == found["REAL"]
    assert len(set(found.values())) == 10_000  # only the tax code links
    with migrated_engine.connect() as connection:
        undone = connection.execute(select(db.LINKS).where(db.LINKS.c.action == "unlink")).all()
    assert undone and all("over the cap of 20" in row.reason for row in undone)


def test_a_chain_loses_only_the_link_whose_key_crossed_the_cap(migrated_engine: Engine) -> None:
    linker = EntityLinker(cap=3)
    chain = [
        sighting("A", 1, phone="0912 111 111"),
        sighting("B", 2, phone="0912 111 111", tax_code="0101234567"),
        sighting("C", 3, tax_code="0101234567", email="c@shop.vn"),
        sighting("D", 4, email="c@shop.vn"),
    ]
    link(migrated_engine, linker, chain, 2)
    assert len(set(members(migrated_engine).values())) == 1
    link(migrated_engine, linker, [sighting(f"X{i}", 10 + i, phone="0912.111.111") for i in range(2)], 2)
    found = members(migrated_engine)
    assert found["B"] == found["C"] == found["D"] != found["A"]
    assert len({found["A"], found["X0"], found["X1"]}) == 3


def test_a_wrong_merge_is_explained_then_undone_by_a_stop_or_an_unmerge(migrated_engine: Engine) -> None:
    linker = EntityLinker(cap=20)
    link(
        migrated_engine,
        linker,
        [
            sighting("QLTT-1", 1, phone="0912 345 678", email="shop@gmail.com"),
            sighting("TAX-1", 2, phone="+84 912 345 678"),
            sighting("POLICE-1", 3, email="shop@gmail.com", address="45 Lê Lợi, Q.1, TP.HCM"),
            sighting("OTHER", 4, address="Số 45 Lê Lợi, Quận 1, TP HCM"),
        ],
        10,
    )
    with migrated_engine.connect() as connection:
        why = explain(SqlEntityTransaction(connection), linker, "TAX-1")
    assert why is not None and why.members == ["POLICE-1", "QLTT-1", "TAX-1"]
    assert {(line.kind, line.event_id) for line in why.links} == {
        ("email", "ev-POLICE-1-3"),
        ("phone", "ev-TAX-1-2"),
    }
    assert any(line.kind == "address" and line.status == "weak: suggests only" for line in why.keys)
    assert [(k, other) for k, _v, other, _e in why.suggestions] == [("address", "OTHER")]
    with migrated_engine.begin() as connection:
        linker.stop(
            SqlEntityTransaction(connection),
            MatchKey("email", "shop@gmail.com"),
            "a shared mailbox",
            "analyst-1",
        )
    found = members(migrated_engine)
    assert found["QLTT-1"] == found["TAX-1"] != found["POLICE-1"]
    with migrated_engine.begin() as connection:
        linker.block(SqlEntityTransaction(connection), "TAX-1", None, "typo in the phone", "analyst-1")
        history = db.history_of(connection, ["TAX-1", "POLICE-1"])
    assert len(set(members(migrated_engine).values())) == 4
    assert [row["action"] for row in history][:2] == ["unlink", "unlink"]
    assert "typo in the phone" in history[0]["reason"] and "a shared mailbox" in history[1]["reason"]
    with migrated_engine.connect() as connection:
        after = explain(SqlEntityTransaction(connection), linker, "TAX-1")
    assert after is not None and any(line.status.startswith("blocked for TAX-1") for line in after.keys)
    with migrated_engine.begin() as connection:
        assert (
            linker.relink_all(SqlEntityTransaction(connection)).moved_subjects == 0
        )  # corrections survive a relink


def test_bundled_stop_list_values_never_link_even_below_the_cap(migrated_engine: Engine) -> None:
    placeholders = [sighting(f"P{i}", i, email="NoEmail@gmail.com", phone="0000000000") for i in range(5)]
    link(migrated_engine, EntityLinker(cap=20), placeholders, 5)
    assert len(set(members(migrated_engine).values())) == 5


def test_a_new_cap_relinks_everything_on_the_next_batch(migrated_engine: Engine) -> None:
    shared = [sighting(f"S{i}", i, phone="0912 345 678") for i in range(5)]
    link(migrated_engine, EntityLinker(cap=20), shared, 5)
    assert len(set(members(migrated_engine).values())) == 1
    link(migrated_engine, EntityLinker(cap=4), [sighting("LATE", 99, tax_code="0101234567")], 1)
    assert len(set(members(migrated_engine).values())) == 6
    with migrated_engine.connect() as connection:
        reasons = [row["reason"] for row in db.history_of(connection, ["S0"])]
    assert any("rules changed from cap 20" in reason for reason in reasons)


def test_a_mistaken_stop_and_a_mistaken_unmerge_are_undone_and_kept_in_the_history(
    migrated_engine: Engine,
) -> None:
    linker = EntityLinker(cap=20)
    link(
        migrated_engine,
        linker,
        [
            sighting("QLTT-1", 1, phone="0912 345 678", email="shop@gmail.com"),
            sighting("TAX-1", 2, phone="+84 912 345 678"),
            sighting("POLICE-1", 3, email="shop@gmail.com"),
        ],
        10,
    )
    email = MatchKey("email", "shop@gmail.com")
    with migrated_engine.begin() as connection:
        linker.stop(SqlEntityTransaction(connection), email, "looked shared", "analyst-1")
        linker.block(SqlEntityTransaction(connection), "TAX-1", None, "typo?", "analyst-1")
    assert len(set(members(migrated_engine).values())) == 3
    with migrated_engine.begin() as connection:
        report = linker.unblock(
            SqlEntityTransaction(connection), "TAX-1", None, "checked: same seller", "analyst-2"
        )
    found = members(migrated_engine)
    assert report.merges == 1 and found["QLTT-1"] == found["TAX-1"] != found["POLICE-1"]
    with migrated_engine.begin() as connection:
        report = linker.unstop(SqlEntityTransaction(connection), email, "stopped by mistake", "analyst-2")
    assert report.merges == 1 and len(set(members(migrated_engine).values())) == 1
    with migrated_engine.connect() as connection:
        history = db.history_of(connection, ["QLTT-1", "TAX-1", "POLICE-1"])
        why = explain(SqlEntityTransaction(connection), linker, "POLICE-1")
    actions = [(row["action"], row["subject_id"]) for row in history[:6]]
    assert ("unstop", "POLICE-1") in actions and ("unblock", "TAX-1") in actions
    assert any("stopped by mistake" in row["reason"] and row["action"] == "link" for row in history)
    assert why is not None and all(line.status == "links" for line in why.keys if line.kind == "email")
    with migrated_engine.begin() as connection:
        assert linker.relink_all(SqlEntityTransaction(connection)).moved_subjects == 0
    for undo, message in (
        (lambda c: linker.unstop(c, email, "again", "a"), "not on the run-time stop-list"),
        (lambda c: linker.unblock(c, "TAX-1", None, "again", "a"), "no such blocked key"),
        (lambda c: linker.unstop(c, _bundled_email(), "x", "a"), "bundled"),
    ):
        with pytest.raises(ValueError, match=message), migrated_engine.begin() as connection:
            undo(SqlEntityTransaction(connection))


def _bundled_email() -> MatchKey:
    key = stop_key("email", "NoEmail@gmail.com")
    assert key is not None
    return key
