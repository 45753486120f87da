"""One contract suite for the CaseStore interface, run on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from consumers.case_fold import fold_case
from consumers.clock import utcnow
from consumers.ports.case_store import CaseStore
from consumers.projections import stored_event
from consumers.records import (
    DeadLetter,
    ReplayOutcome,
    StoredEvent,
    SubjectState,
    TopicPartitionOffset,
    replaced,
)
from consumers.store_errors import StoreUnavailable
from services.store.engine import make_engine, migrate
from services.store.sql_store import SqlCaseStore, SqlTransaction
from tests.factories import T0, opened, penalty
from tests.fakes import MemoryCaseStore

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[CaseStore]:
    if request.param == "memory":
        yield MemoryCaseStore()
        return
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    migrate(engine)
    yield SqlCaseStore(engine)
    engine.dispose()


def letter(offset: int) -> DeadLetter:
    return DeadLetter("g", "t", 0, offset, "DecodeError", "bad bytes", b"k", b"\x01", utcnow())


def test_events_are_idempotent_by_event_id(store: CaseStore) -> None:
    event = stored_event(opened("C1"), "t", 0, 0)
    with store.transaction() as tx:
        tx.add_events([event])
    with store.transaction() as tx:
        tx.add_events([event, stored_event(penalty("C1"), "t", 0, 1)])
        found = tx.events_of_cases(["C1"])
    assert sorted(e.event_type for e in found["C1"]) == ["CaseOpened", "PenaltyDecided"]


def test_adding_events_returns_only_those_the_log_did_not_hold(store: CaseStore) -> None:
    first, second = stored_event(opened("C10"), "t", 0, 0), stored_event(penalty("C10"), "t", 0, 1)
    with store.transaction() as tx:
        assert tx.add_events([first]) == [first]
    with store.transaction() as tx:
        assert tx.add_events([first, second, second]) == [second]


def test_locked_cases_come_back_as_stored_and_unknown_ones_are_absent(store: CaseStore) -> None:
    event = stored_event(opened("C11"), "t", 0, 0)
    with store.transaction() as tx:
        tx.add_events([event])
        tx.put_cases([fold_case("C11", [event])])
    with store.transaction() as tx:
        locked = tx.lock_cases(["C11", "C12"])
        tx.lock_subjects(["S-unknown"])
    assert locked == {"C11": fold_case("C11", [event])}


def test_a_locked_case_without_a_row_holds_off_a_second_writer(postgres_url: str) -> None:
    """Two consumers merging the first events of one new case: the second waits for the first's commit."""
    engine = make_engine(postgres_url)
    migrate(engine)
    store = SqlCaseStore(engine)
    second_holds = threading.Event()

    def second_writer() -> None:
        with store.transaction() as tx:
            tx.lock_cases(["C-new"])
            second_holds.set()

    with store.transaction() as tx:
        tx.lock_cases(["C-new", "C-other"])
        other = threading.Thread(target=second_writer)
        other.start()
        assert not second_holds.wait(0.5), "the second writer got the lock while the first held it"
    assert second_holds.wait(10), "the second writer never got the lock after the first committed"
    other.join()
    engine.dispose()


def test_a_session_killed_mid_batch_is_an_outage_and_the_next_batch_lands(postgres_url: str) -> None:
    """PostgreSQL restarting under a batch: the write fails as StoreUnavailable (which the materializer
    waits out), never with an error about the dead session, and the retried batch lands."""
    engine = make_engine(postgres_url)
    migrate(engine)
    store = SqlCaseStore(engine)
    first, second = stored_event(opened("C-k1"), "t", 0, 0), stored_event(opened("C-k2"), "t", 0, 1)
    with pytest.raises(StoreUnavailable), store.transaction() as tx:
        assert isinstance(tx, SqlTransaction)
        tx.add_events([first])
        session = tx.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": session})
        tx.add_events([second])
    with store.transaction() as tx:
        assert sorted(e.case_id for e in tx.add_events([first, second])) == ["C-k1", "C-k2"]
    engine.dispose()


def test_events_read_back_equal_what_was_written(store: CaseStore) -> None:
    event = stored_event(opened("C2"), "topic-a", 2, 17)
    with store.transaction() as tx:
        tx.add_events([event])
        assert tx.events_of_cases(["C2", "unknown"]) == {"C2": [event]}


def test_cases_are_inserted_then_replaced(store: CaseStore) -> None:
    first = stored_event(opened("C3"), "t", 0, 0)
    with store.transaction() as tx:
        tx.add_events([first])
        tx.put_cases([fold_case("C3", [first])])
    fine = stored_event(penalty("C3", fine=7_000_000), "t", 0, 1)
    with store.transaction() as tx:
        tx.add_events([fine])
        events = tx.events_of_cases(["C3"])["C3"]
        tx.put_cases([fold_case("C3", events)])
        assert fold_case("C3", tx.events_of_cases(["C3"])["C3"]).total_fines_vnd == 7_000_000


def test_a_failed_transaction_leaves_nothing_behind(store: CaseStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_events([stored_event(opened("C4"), "t", 0, 0)])
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 1)])
        raise RuntimeError("crash mid-batch")
    assert store.stored_offsets("g") == {}
    with store.transaction() as tx:
        assert tx.events_of_cases(["C4"]) == {}


def test_writes_after_a_failed_transaction_still_land(store: CaseStore) -> None:
    """The failed batch may have been the one that set up the bulk-write machinery (staging tables)."""
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_events([stored_event(opened("C5"), "t", 0, 0)])
        raise RuntimeError("crash in the first batch")
    with store.transaction() as tx:
        added = tx.add_events([stored_event(opened("C5"), "t", 0, 0)])
    assert [e.case_id for e in added] == ["C5"]
    with store.transaction() as tx:
        assert list(tx.events_of_cases(["C5"])) == ["C5"]


def test_two_writes_to_one_table_in_a_transaction_report_their_own_rows(store: CaseStore) -> None:
    first, second = stored_event(opened("C6"), "t", 0, 0), stored_event(opened("C7"), "t", 0, 1)
    with store.transaction() as tx:
        assert tx.add_events([first]) == [first]
        assert tx.add_events([second, first]) == [second]
    with store.transaction() as tx:
        assert sorted(tx.events_of_cases(["C6", "C7"])) == ["C6", "C7"]


def test_offsets_are_kept_per_group_and_never_move_backwards(store: CaseStore) -> None:
    with store.transaction() as tx:
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 10), TopicPartitionOffset("t", 1, 3)])
        tx.save_offsets("other", [TopicPartitionOffset("t", 0, 99)])
    with store.transaction() as tx:
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 7), TopicPartitionOffset("t", 1, 5)])
    assert store.stored_offsets("g") == {("t", 0): 10, ("t", 1): 5}


def test_a_partition_given_twice_in_one_call_keeps_its_furthest_offset(store: CaseStore) -> None:
    """PostgreSQL saves a batch's offsets in one statement, which cannot update a row twice: the furthest
    of each partition is kept, as one upsert per row kept it (and SQLite does)."""
    with store.transaction() as tx:
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 4)])
    with store.transaction() as tx:
        given = [
            TopicPartitionOffset("t", 0, 9),
            TopicPartitionOffset("t", 0, 6),
            TopicPartitionOffset("t", 0, 3),
        ]
        tx.save_offsets(
            "g",
            [*given, TopicPartitionOffset("u\x01ñ", 2, 0), TopicPartitionOffset("t", 2**31 - 1, 2**63 - 1)],
        )
    assert store.stored_offsets("g") == {("t", 0): 9, ("u\x01ñ", 2): 0, ("t", 2**31 - 1): 2**63 - 1}


def test_the_same_dead_letter_position_is_kept_once(store: CaseStore) -> None:
    with store.transaction() as tx:
        tx.add_dead_letters([letter(4), letter(5)])
    with store.transaction() as tx:
        tx.add_dead_letters([letter(5)])
        tx.save_offsets("g", [TopicPartitionOffset("t", 0, 6)])
    assert store.stored_offsets("g") == {("t", 0): 6}
    assert _dead_letter_count(store) == 2


def test_dead_letters_are_listed_and_replays_recorded(store: CaseStore) -> None:
    with store.transaction() as tx:
        tx.add_dead_letters([letter(1), letter(2)])
    first, second = store.dead_letters()
    assert (first.letter.offset, second.letter.offset) == (1, 2)
    with store.transaction() as tx:
        tx.record_replays(
            [
                ReplayOutcome(first.letter_id, "0f0e0d0c-0000-4000-8000-000000000001"),
                ReplayOutcome(second.letter_id, None, "ContractViolation", "still wrong"),
            ]
        )
    (pending,) = store.dead_letters(pending_only=True)
    assert (pending.letter.offset, pending.replay_attempts) == (2, 1)
    assert (pending.letter.error_class, pending.letter.error_message) == ("ContractViolation", "still wrong")
    resolved = store.dead_letters(pending_only=False, ids=[first.letter_id])
    assert resolved[0].resolved_event_id == "0f0e0d0c-0000-4000-8000-000000000001"


def test_per_event_rows_are_idempotent_by_their_key(store: CaseStore) -> None:
    from consumers.event_types.registry import projection_rows

    fine = stored_event(penalty("C7", fine=3_000_000), "t", 0, 0)
    with store.transaction() as tx:
        tx.add_rows(projection_rows(fine))
    with store.transaction() as tx:
        tx.add_rows(projection_rows(fine) + projection_rows(fine))
    assert _count(store, "penalties") == 1


def test_per_event_rows_of_several_tables_land_whole_when_one_is_already_stored(store: CaseStore) -> None:
    """A redelivered row in one table sends every table to the set-based path: nothing lost, none doubled."""
    from consumers.event_types.registry import projection_rows
    from schemas.events import SubjectIdentified, SubjectKind
    from tests.factories import event

    fine = stored_event(penalty("C7", fine=3_000_000), "t", 0, 0)
    seller = SubjectIdentified(subject_id="S2", phone="0912345678", kind=SubjectKind.PERSON)
    seen = stored_event(event(seller, case_id="C7"), "t", 0, 1)
    with store.transaction() as tx:
        tx.add_rows(projection_rows(fine))
    with store.transaction() as tx:
        tx.add_rows(projection_rows(seen) + projection_rows(fine))
    assert (_count(store, "penalties"), _count(store, "subject_observations")) == (1, 1)
    assert _count(store, "subject_identifiers") == 1
    with store.transaction() as tx:  # all new: copied straight in on PostgreSQL
        tx.add_rows(projection_rows(stored_event(penalty("C8", fine=1_000_000), "t", 0, 2)))
    assert _count(store, "penalties") == 2


def test_subjects_are_refolded_from_their_stored_observations(store: CaseStore) -> None:
    """The store's refold (one statement on PostgreSQL, the Python fold elsewhere): latest name wins."""
    from datetime import timedelta

    from consumers.event_types.registry import projection_rows
    from schemas.events import SubjectIdentified, SubjectKind
    from tests.factories import event

    def seen(name: str, case: str, days: int, offset: int) -> StoredEvent:
        seller = SubjectIdentified(
            subject_id="S3", display_name=name, platform="shopee", kind=SubjectKind.PERSON
        )
        stored = stored_event(event(seller, case_id=case), "t", 0, offset)
        return replaced(stored, {"occurred_at": stored.occurred_at + timedelta(days=days)})

    with store.transaction() as tx:
        tx.add_rows(
            projection_rows(seen("Shop Mới", "C9", 2, 0)) + projection_rows(seen("Shop Cũ", "C8", 0, 1))
        )
        tx.refold_subjects(["S3", "nobody"])
    with store.transaction() as tx:
        tx.add_rows(projection_rows(seen("Shop Giữa", "C9", 1, 2)))
        tx.refold_subjects(["S3"])
    subject = _subject(store, "S3")
    assert subject.display_name == "Shop Mới" and subject.case_count == 2
    assert subject.platforms == ("shopee",) and _count(store, "subjects") == 1


def test_subject_observations_are_read_back_and_subjects_replaced(store: CaseStore) -> None:
    from consumers.event_types.registry import projection_rows
    from consumers.subject_fold import fold_subject
    from schemas.events import SubjectIdentified, SubjectKind
    from tests.factories import event

    seen = [
        stored_event(
            event(
                SubjectIdentified(
                    subject_id="S1",
                    display_name=name,
                    phone="0912345678",
                    platform="shopee",
                    kind=SubjectKind.PERSON,
                ),
                case_id=case,
            ),
            "t",
            0,
            i,
        )
        for i, (name, case) in enumerate([("Shop Minh Anh", "C8"), ("Minh Anh Official", "C9")])
    ]
    with store.transaction() as tx:
        tx.add_rows([row for e in seen for row in projection_rows(e)])
        observed = tx.observations_of_subjects(["S1", "nobody"])
        assert list(observed) == ["S1"] and len(observed["S1"]) == 2
        tx.put_subjects([fold_subject("S1", observed["S1"])])
        tx.put_subjects([fold_subject("S1", observed["S1"][:1])])
    assert _count(store, "subjects") == 1
    assert _count(store, "subject_identifiers") == 1, "the same phone twice is one identifier"


def test_audience_views_replace_earlier_ones_and_mark_the_case_restricted(store: CaseStore) -> None:
    from datetime import timedelta

    from consumers.records import AudienceViews

    event = stored_event(opened("C13"), "t", 0, 0)
    case = fold_case("C13", [event])
    with store.transaction() as tx:
        tx.add_events([event])
        tx.put_cases([case])
        tx.put_audience_views([AudienceViews("C13", (("qltt", case), ("police", case)), None)])
        tx.put_audience_views([AudienceViews("C13", (("qltt", case),), T0 + timedelta(days=30))])
    with store.transaction() as tx:
        assert tx.restricted_case_ids(["C13", "C14"]) == {"C13"}
    assert _audience_rows(store, "C13") == ["qltt"]


def test_restricted_marks_after_locking_follow_the_transactions_own_writes(store: CaseStore) -> None:
    """PostgreSQL reads the marks of the cases it locks in the same statement and answers from them:
    the answer must still see marks written since, forget those a rolled-back savepoint wrote, and ask
    about cases it did not lock."""
    from consumers.records import AudienceViews

    events = [stored_event(opened(case_id), "t", 0, i) for i, case_id in enumerate(["C40", "C41", "C42"])]
    cases = {e.case_id: fold_case(e.case_id, [e]) for e in events}
    with store.transaction() as tx:
        tx.add_events(events)
        tx.put_cases(list(cases.values()))
        tx.put_audience_views([AudienceViews("C40", (("qltt", cases["C40"]),), None)])
    with store.transaction() as tx:
        assert set(tx.lock_cases(["C40", "C41", "C-none"])) == {"C40", "C41"}
        assert tx.restricted_case_ids(["C40", "C41", "C-none"]) == {"C40"}
        assert tx.restricted_case_ids(["C41", "C42"]) == set(), "C42 was not locked: asked, not guessed"
        tx.put_audience_views([AudienceViews("C41", (("qltt", cases["C41"]),), None)])
        assert tx.restricted_case_ids(["C40", "C41"]) == {"C40", "C41"}
        with pytest.raises(RuntimeError), tx.savepoint():
            assert set(tx.lock_cases(["C40", "C41", "C42"])) == {"C40", "C41", "C42"}
            tx.put_audience_views([AudienceViews("C42", (("qltt", cases["C42"]),), None)])
            assert tx.restricted_case_ids(["C42"]) == {"C42"}
            raise RuntimeError("roll the savepoint back")
        assert tx.restricted_case_ids(["C40", "C41", "C42"]) == {"C40", "C41"}
    with store.transaction() as tx:
        assert tx.restricted_case_ids(["C40", "C41", "C42"]) == {"C40", "C41"}
        assert tx.restricted_case_ids(c for c in ["C40", "C42"]) == {"C40"}, "any iterable, read once"


def test_timestamps_come_back_in_utc(store: CaseStore) -> None:
    event = stored_event(opened("C5"), "t", 0, 0)
    with store.transaction() as tx:
        tx.add_events([event])
        (back,) = tx.events_of_cases(["C5"])["C5"]
    assert back.occurred_at == T0 and back.occurred_at.tzinfo is not None


def _count(store: CaseStore, table: str) -> int:
    if isinstance(store, MemoryCaseStore):
        return len(store.state.subjects) if table == "subjects" else len(store.state.rows.get(table, {}))
    assert isinstance(store, SqlCaseStore)
    from sqlalchemy import text

    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _subject(store: CaseStore, subject_id: str) -> SubjectState:
    if isinstance(store, MemoryCaseStore):
        return store.state.subjects[subject_id]
    assert isinstance(store, SqlCaseStore)
    from sqlalchemy import select

    from services.store.sql_store import SUBJECTS

    with store.engine.connect() as connection:
        row = connection.execute(select(SUBJECTS).where(SUBJECTS.c.subject_id == subject_id)).one()
    return SubjectState(**row._asdict())


def _audience_rows(store: CaseStore, case_id: str) -> list[str]:
    if isinstance(store, MemoryCaseStore):
        return [audience for audience, _ in store.state.audience_views[case_id].views]
    assert isinstance(store, SqlCaseStore)
    from sqlalchemy import text

    with store.engine.connect() as connection:
        query = text("SELECT audience FROM case_audience_views WHERE case_id = :c ORDER BY audience")
        return list(connection.execute(query, {"c": case_id}).scalars())


def _dead_letter_count(store: CaseStore) -> int:
    if isinstance(store, MemoryCaseStore):
        return len(store.state.dead_letters)
    assert isinstance(store, SqlCaseStore)
    from sqlalchemy import func, select

    from services.store.sql_store import DEAD_LETTERS

    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(DEAD_LETTERS)).scalar_one())
