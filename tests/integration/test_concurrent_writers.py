"""Two writers over disjoint cases that share sellers — two members of `casehub consume --processes 2`,
or two replay processes of a PostgreSQL rebuild — on a real PostgreSQL: both commit, and the store holds
both writers' work.

Why: the rows the writers share are the sellers' identifiers (`subject_identifiers`, insert-or-ignore by
key) and the subjects' records. A writer that inserts an identifier holds it until it commits, and a
second writer inserting the same key waits for that commit; two writers inserting the same identifiers in
opposite orders each waited for the other, and PostgreSQL broke the cycle with `deadlock detected` (seen
in a 2-process rebuild of the bench's events, issue 17: retried, but a wasted batch on each side). The
writers now insert them in key order, as they take the case and subject locks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from consumers.ports.case_store import StoreTransaction
from consumers.projections import apply_events, stored_event
from consumers.records import ProjectionRow, StoredEvent
from schemas.events import SubjectIdentified, SubjectKind, SubjectRole
from services.store.engine import make_engine
from services.store.sql_store import PROJECTIONS, SUBJECTS, SqlCaseStore
from tests.factories import event

pytestmark = pytest.mark.integration

_SELLERS = 1_500
_ROUNDS = 3


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _both_at_once(
    store: SqlCaseStore,
    writes: Sequence[Sequence[Any]],
    apply: Callable[[StoreTransaction, Sequence[Any]], None],
) -> list[Exception]:
    """Run each writer's transaction in its own thread, all starting their writes together; the errors."""
    start = threading.Barrier(len(writes))
    errors: list[Exception] = []

    def write(items: Sequence[Any]) -> None:
        try:
            with store.transaction() as tx:
                start.wait(timeout=30)
                apply(tx, items)
        except Exception as exc:  # the test reports every failure, whatever it is
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(items,)) for items in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return errors


def _identified(round_no: int, writer: str, seller: int, offset: int) -> StoredEvent:
    subject = SubjectIdentified(
        subject_id=f"S-{round_no}-{seller}",
        kind=SubjectKind.ORGANISATION,
        role=SubjectRole.SELLER,
        email=f"shop{seller}.r{round_no}@example.vn",
        tax_code=f"{round_no:02d}{seller:08d}",
    )
    case_id = f"VN-2025-{writer}-{round_no}-{seller:05d}"
    return stored_event(event(subject, case_id=case_id), f"casehub.cases.{writer}", 0, offset)


def test_two_materializers_on_shared_sellers_in_opposite_orders_both_commit(engine: Engine) -> None:
    """Each round, writer A's batch names the sellers in one order and writer B's (other cases) in the
    opposite one; both batches are applied at once. On the old code the identifiers' inserts met in the
    middle and one writer got `deadlock detected` in every round."""
    store = SqlCaseStore(engine)
    for round_no in range(_ROUNDS):
        forward = [_identified(round_no, "qltt", s, s) for s in range(_SELLERS)]
        backward = [_identified(round_no, "tax", s, s) for s in reversed(range(_SELLERS))]
        errors = _both_at_once(store, [forward, backward], apply_events)
        assert errors == [], f"round {round_no}: {errors}"
    identifiers = PROJECTIONS["subject_identifiers"]
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(identifiers)).scalar_one()
        counts = connection.execute(
            select(SUBJECTS.c.case_count, func.count()).group_by(SUBJECTS.c.case_count)
        ).all()
    assert stored == _ROUNDS * _SELLERS * 2  # an e-mail and a tax code per seller, once each
    assert counts == [(2, _ROUNDS * _SELLERS)]  # every seller refolded with both writers' cases


def test_two_writers_adding_the_same_identifiers_in_opposite_orders_both_commit(engine: Engine) -> None:
    """The store's own order, whatever order its caller gives: the same rows, reversed, at once."""
    store = SqlCaseStore(engine)
    identifier = {"kind": "phone"}
    rows = [
        ProjectionRow(
            "subject_identifiers", {"subject_id": f"S-{i % 97}", **identifier, "value": f"0{i:09d}"}
        )
        for i in range(4_000)
    ]

    def add(tx: StoreTransaction, items: Sequence[ProjectionRow]) -> None:
        tx.add_rows(items)

    assert _both_at_once(store, [rows, rows[::-1]], add) == []
    identifiers = PROJECTIONS["subject_identifiers"]
    with engine.connect() as connection:
        stored = connection.execute(select(identifiers.c.value).order_by(identifiers.c.value)).scalars().all()
    assert stored == sorted(r.values["value"] for r in rows)
