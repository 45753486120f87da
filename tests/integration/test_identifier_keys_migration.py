"""Migration 0023: identifiers stored before it get the keys the seller search looks up (computed by the
same normalisers as the writer's), the search finds them by the spellings people type, its query is one
the indexes serve (no scan of the table), and the downgrade gives the (kind, value) index back."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, insert, inspect, select, text

from consumers.event_types.subject_identified import identifier_row
from consumers.projections import apply_events, stored_event
from schemas.events import SubjectIdentified
from schemas.normalisation.identifier_keys import stored_keys
from services.store.engine import make_engine
from services.store.queries.identifiers import IDENTIFIERS, candidate_subject_ids, candidates_query, matches
from services.store.schema_version import alembic_config
from services.store.sql_store import SqlCaseStore
from tests.factories import event

pytestmark = pytest.mark.integration

SELLERS = [
    SubjectIdentified(subject_id="S-0023-1", phone="0912 345 678"),
    SubjectIdentified(subject_id="S-0023-2", platform="shopee", shop_id="SonXinh.Official"),
    SubjectIdentified(
        subject_id="S-0023-3", shop_url="https://zalo.me/0987654321", tax_code="0101625009-001"
    ),
    SubjectIdentified(subject_id="S-0023-5", shop_url="https://khosigiaynhung2.vn"),
]
TYPED = {
    "+84 912.345.678": "S-0023-1",
    "@sonxinh.official": "S-0023-2",
    "https://shopee.vn/sonxinh.official?smtt=0.0": "S-0023-2",
    "0987 654 321": "S-0023-3",
    "0101625009001": "S-0023-3",
    # missed before 0023: its SQL looked for the typed URL inside the stored one, tracking part and all
    "https://khosigiaynhung2.vn?smtt=0.0": "S-0023-5",
}


def _migrate(engine: Engine, target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if target != "head" else command.upgrade)(config, target)


def _found(connection: Connection, typed: str) -> set[str]:
    """The seller search as services/views/subjects runs it: candidates by key, then `matches`."""
    candidates = candidate_subject_ids(connection, typed)
    rows = connection.execute(select(IDENTIFIERS).where(IDENTIFIERS.c.subject_id.in_(sorted(candidates))))
    return {r.subject_id for r in rows if matches(r.kind, r.value, typed)}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_identifiers_stored_before_get_their_keys_and_are_found(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(
            tx,
            [stored_event(event(s, case_id=f"C-{s.subject_id}"), "t", 0, i) for i, s in enumerate(SELLERS)],
        )
    _migrate(engine, "0022")
    indexes = {str(i["name"]) for i in inspect(engine).get_indexes("subject_identifiers")}
    assert "ix_subject_identifiers_value" in indexes and "ix_subject_identifiers_match_key" not in indexes
    with engine.begin() as connection:  # a row written at 0022 (no keys then), with a value no rule reads
        connection.execute(
            text(
                "INSERT INTO subject_identifiers (subject_id, kind, value) VALUES ('S-0023-4', 'address', :v)"
            ),
            {"v": "Số 1 HAI BÀ TRƯNG\x07?"},
        )
    _migrate(engine, "head")
    with engine.connect() as connection:
        rows = connection.execute(select(IDENTIFIERS)).all()
        assert len(rows) == 6
        for row in rows:
            assert (row.match_key, row.loose_key) == stored_keys(row.kind, row.value), row
        for typed, seller in TYPED.items():
            assert _found(connection, typed) == {seller}, typed
        assert _found(connection, "số 1 hai bà trưng\x07?") == {"S-0023-4"}
        assert _found(connection, "0912 345 679") == set()
    engine.dispose()


def test_the_search_reads_the_indexes_not_the_table(postgres_url: str) -> None:
    """With sequential scans priced out, the plan of the candidates' query still needs none: each of its
    conditions is one an index serves (before 0023, no index served any)."""
    engine = make_engine(postgres_url)
    rows = [identifier_row(f"S-{n}", "phone", f"09{n:08d}") for n in range(2_000)]
    query = candidates_query("0912 345 678")
    assert query is not None
    with engine.begin() as connection:
        connection.execute(insert(IDENTIFIERS), rows)
        connection.execute(text("ANALYZE subject_identifiers"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql.replace("%", "%%")).scalars())
    assert "Seq Scan" not in plan, plan
    assert "ix_subject_identifiers_match_key" in plan and "ix_subject_identifiers_loose_key" in plan, plan
    engine.dispose()
