"""One contract suite for the entity store port, run on the in-memory fake, SQLite and PostgreSQL: what the
linker and the tracking loop rely on, and the linker itself giving the same entities on each store."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.clock import utcnow
from consumers.entity.keys import MatchKey, sighting_of
from consumers.entity.linker import EntityLinker
from consumers.entity.store_port import EntityStore
from consumers.records import DeadLetter, TopicPartitionOffset
from consumers.store_errors import StoreRejected
from services.store.engine import make_engine, migrate
from services.store.sql_entity_store import SqlEntityStore
from tests.entity_fakes import MemoryEntityStore
from tests.factories import T0

pytestmark = pytest.mark.integration
_unique = itertools.count()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[EntityStore]:
    if request.param == "memory":
        yield MemoryEntityStore()
        return
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    migrate(engine)
    yield SqlEntityStore(engine)
    engine.dispose()


def key_row(
    subject: str, kind: str, value: str, event: str, minute: int, strong: bool = True
) -> dict[str, Any]:
    return {
        "subject_id": subject,
        "kind": kind,
        "value": value,
        "strong": strong,
        "raw": f"{value} as sent in {event}",
        "first_event_id": event,
        "first_seen_at": T0 + timedelta(minutes=minute),
    }


def history_row(subject: str, other: str | None, reason: str) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "action": "link",
        "entity_id": f"E-{subject}",
        "subject_id": subject,
        "other_subject_id": other,
        "kind": "phone",
        "value": "84912345678",
        "event_id": None,
        "reason": reason,
    }


def letter(group: str, offset: int) -> DeadLetter:
    return DeadLetter(group, "t", 0, offset, "StoreRejected", "write refused: played", b"k", b"v", utcnow())


def test_a_unit_of_work_commits_on_success_and_leaves_nothing_on_an_error(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_identifiers([key_row("A", "phone", "1", "e1", 1)])
        tx.enrol({"A": "E-A"})
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_identifiers([key_row("B", "phone", "1", "e2", 2)])
        tx.enrol({"B": "E-B"})
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 9)])
        raise RuntimeError("the linker failed half-way")
    with store.transaction() as tx:
        assert tx.all_members() == {"A": "E-A"}
        assert tx.carrier_counts([("phone", "1")]) == {("phone", "1"): 1}
    assert store.stored_offsets("g") == {}


def test_a_savepoint_undoes_its_own_writes_and_keeps_the_earlier_ones(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.enrol({"A": "E-A"})
        with pytest.raises(ValueError), tx.savepoint():
            tx.enrol({"B": "E-B"})
            tx.add_stop(("phone", "1"), "shared", "analyst", utcnow())
            raise ValueError("a rule could not take this sighting")
        tx.enrol({"C": "E-C"})
    with store.transaction() as tx:
        assert tx.all_members() == {"A": "E-A", "C": "E-C"}
        assert tx.stopped_keys() == {}


def test_the_linker_lock_reports_the_rules_the_entities_were_built_with(store: EntityStore) -> None:
    with store.transaction() as tx:
        assert tx.lock_linker(20, "v1", utcnow()) is None
    with store.transaction() as tx:
        assert tx.lock_linker(4, "v2", utcnow()) == (20, "v1")
    with store.transaction() as tx:
        assert tx.lock_linker(4, "v2", utcnow()) == (4, "v2")


def test_a_key_keeps_the_earliest_event_that_brought_it_whatever_the_order(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_identifiers([key_row("A", "phone", "1", "late", 9)])
        tx.add_identifiers(
            [key_row("A", "phone", "1", "early", 1), key_row("A", "name", "an", "e", 1, False)]
        )
        tx.add_identifiers([key_row("A", "phone", "1", "later", 20)])
    with store.transaction() as tx:
        assert tx.known_occurrences(["A", "NOBODY"]) == {("A", "phone", "1"), ("A", "name", "an")}
        [strong] = tx.occurrences_of(["A"])
        assert (strong.kind, strong.value, strong.first_event_id) == ("phone", "1", "early")
        assert {o.kind for o in tx.occurrences_of(["A"], strong_only=False)} == {"phone", "name"}
        assert [o.first_event_id for o in tx.all_occurrences()] == ["early"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6, unique=True))
def test_any_arrival_order_of_one_key_ends_with_the_earliest_event(
    store: EntityStore, minutes: list[int]
) -> None:
    subject = f"P{next(_unique)}"
    with store.transaction() as tx:
        for minute in minutes:
            tx.add_identifiers([key_row(subject, "tax_code", "0101", f"ev-{minute}", minute)])
    with store.transaction() as tx:
        [occurrence] = tx.occurrences_of([subject])
    assert occurrence.first_event_id == f"ev-{min(minutes)}"


def test_enrolment_never_moves_a_member_and_moves_are_explicit(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.enrol({"A": "E-A", "B": "E-B"})
        tx.enrol({"A": "E-OTHER", "C": "E-C"})
        tx.move_members({"B": "E-A", "GHOST": "E-A"})
    with store.transaction() as tx:
        assert tx.all_members() == {"A": "E-A", "B": "E-A", "C": "E-C"}
        assert tx.entities_of(["A", "C", "GHOST"]) == {"A": "E-A", "C": "E-C"}
        assert tx.members_of(["E-A", "E-NONE"]) == {"A": "E-A", "B": "E-A"}


def test_carriers_are_counted_over_the_whole_store_and_listed_smallest_first(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_identifiers([key_row(s, "phone", "1", f"e-{s}", 1) for s in ("C", "A", "B")])
        tx.add_identifiers([key_row("A", "email", "a@x", "e", 1)])
        tx.enrol({"A": "E-1", "B": "E-1", "C": "E-2"})
    with store.transaction() as tx:
        assert tx.carrier_counts([("phone", "1"), ("email", "a@x"), ("shop", "none")]) == {
            ("phone", "1"): 3,
            ("email", "a@x"): 1,
        }
        assert tx.carriers(("phone", "1"), 2) == ["A", "B"]
        assert tx.entities_carrying([("phone", "1")], outside={"A", "B"}) == {"E-2"}
        assert tx.entities_carrying([("phone", "1")], outside=set()) == {"E-1", "E-2"}


def test_history_comes_newest_first_for_either_side_of_a_link(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_history([history_row("A", "B", "first"), history_row("C", None, "unrelated")])
        tx.add_history([history_row("D", "A", "second")])
    with store.transaction() as tx:
        assert [r["reason"] for r in tx.history_of(["A"])] == ["second", "first"]
        assert [r["reason"] for r in tx.history_of(["A"], limit=1)] == ["second"]
        assert tx.history_of(["NOBODY"]) == []


def test_stops_and_blocks_are_kept_once_and_lifted_only_when_held(store: EntityStore) -> None:
    now = utcnow()
    with store.transaction() as tx:
        tx.add_stop(("email", "x@y"), "shared mailbox", "analyst-1", now)
        tx.add_stop(("email", "x@y"), "said again", "analyst-2", now)
        tx.add_blocks("A", [("phone", "2"), ("phone", "1")], "typo", "analyst-1", now)
    with store.transaction() as tx:
        assert tx.stopped_keys() == {("email", "x@y"): "shared mailbox"}
        assert tx.blocked_keys() == {("A", ("phone", "1")): "typo", ("A", ("phone", "2")): "typo"}
        assert tx.remove_stop(("email", "x@y")) and not tx.remove_stop(("email", "x@y"))
        assert tx.remove_blocks("A", [("phone", "2"), ("phone", "9")]) == [("phone", "2")]
        assert tx.remove_blocks("A", None) == [("phone", "1")]
        assert tx.remove_blocks("A", None) == []


def test_dead_letters_are_kept_once_and_offsets_never_go_back(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_dead_letters([letter("entities", 3), letter("entities", 3), letter("other", 3)])
        tx.save_offsets("entities", [TopicPartitionOffset("t", 0, 10), TopicPartitionOffset("t", 1, 4)])
    with store.transaction() as tx:
        tx.save_offsets("entities", [TopicPartitionOffset("t", 0, 7)])
    assert store.stored_offsets("entities") == {("t", 0): 10, ("t", 1): 4}
    assert store.stored_offsets("nobody") == {}


def test_weak_keys_only_suggest_neighbours_under_the_cap(store: EntityStore) -> None:
    with store.transaction() as tx:
        tx.add_identifiers([key_row(s, "address", "1 pho hue", f"e-{s}", 1, False) for s in ("A", "B")])
        tx.add_identifiers([key_row(s, "name", "shop", f"e-{s}", 1, False) for s in ("A", "B", "C", "D")])
    with store.transaction() as tx:
        found = tx.weak_neighbours(["A"], cap=2)
    assert ("address", "1 pho hue", "B") in found and not any(kind == "name" for kind, _v, _o in found)


def test_the_linker_builds_the_same_entities_through_any_store(store: EntityStore) -> None:
    linker = EntityLinker(cap=3)
    sightings = [
        sighting_of("QLTT-1", "ev-1", T0, {"phone": "0912 345 678", "email": "shop@gmail.com"}),
        sighting_of("TAX-1", "ev-2", T0 + timedelta(minutes=1), {"phone": "+84 912 345 678"}),
        sighting_of("POLICE-1", "ev-3", T0 + timedelta(minutes=2), {"email": "shop@gmail.com"}),
        sighting_of("LONE-1", "ev-4", T0 + timedelta(minutes=3), {"tax_code": "0101234567"}),
    ]
    with store.transaction() as tx:
        report = linker.link(tx, sightings)
    with store.transaction() as tx:
        members = tx.all_members()
    assert report.subjects_added == 4 and report.merges == 2
    assert members["QLTT-1"] == members["TAX-1"] == members["POLICE-1"] != members["LONE-1"]
    with store.transaction() as tx:
        undone = linker.stop(tx, MatchKey("email", "shop@gmail.com"), "shared", "analyst-1")
        after = tx.all_members()
        assert linker.relink_all(tx).moved_subjects == 0
    assert undone.splits == 1 and after["QLTT-1"] == after["TAX-1"] != after["POLICE-1"]


def test_what_the_sql_store_refuses_comes_out_as_a_store_refusal(request: pytest.FixtureRequest) -> None:
    engine = make_engine(request.getfixturevalue("postgres_url"))
    migrate(engine)
    try:
        with pytest.raises(StoreRejected, match="write refused"), SqlEntityStore(engine).transaction() as tx:
            tx.add_identifiers([key_row("A" * 200, "phone", "1", "e1", 1)])  # longer than the column
    finally:
        engine.dispose()
