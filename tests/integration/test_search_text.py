"""The folded search text kept by the database (migration 0009) on SQLite and PostgreSQL: the generated
column equals the Python fold on every row written and rewritten by the materializer, case search over it
finds exactly what a reference filter of the visible rows finds (shared, audience and refolded rows), no
search text leaks into what readers get, PostgreSQL's trigram index is on the column, and the 1M-case
benchmark clone leaves the column to the database."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from bench.large_store import clone_to
from consumers.projections import apply_events, stored_event
from consumers.visibility import Viewer
from producers.simulator.simulation import simulate_events
from services.store.audience_tables import CASE_AUDIENCE_VIEWS, RESTRICTED_CASES
from services.store.engine import make_engine, migrate
from services.store.queries.case_filter import CaseFilter, Page, conditions
from services.store.queries.text import fold_text, search_text
from services.store.sql_store import CASES, EVENTS, SqlCaseStore
from services.views.case_search import all_matching, search_cases
from services.views.visible_cases import CASE_COLUMNS, visible_cases
from tests.databases import module_database

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def load(engine: Engine, events: int, seed: int) -> None:
    """Simulated traffic in shuffled batches, so most cases are upserted several times."""
    stored = [stored_event(e, "t", 0, i) for i, e in enumerate(simulate_events(events, seed=seed))]
    random.Random(seed).shuffle(stored)
    store = SqlCaseStore(engine)
    for start in range(0, len(stored), 89):
        with store.transaction() as tx:
            apply_events(tx, stored[start : start + 89])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One loaded store per backend for the module (a fresh database on the session's PostgreSQL)."""
    with module_database(request, tmp_path_factory, "s") as url:
        yield from _loaded(url)


def _loaded(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    migrate(engine)
    load(engine, 1500, seed=8)
    yield engine
    engine.dispose()


def test_the_database_keeps_the_folded_text_of_every_row(loaded: Engine) -> None:
    with loaded.connect() as connection:
        for table in (CASES, CASE_AUDIENCE_VIEWS):
            rows = connection.execute(
                select(table.c.case_id, table.c.title, table.c.goods, text("search_text")).select_from(table)
            ).all()
            assert rows, table.name
            for case_id, title, goods, stored in rows:
                assert stored == search_text(case_id, title, goods)
        accented = connection.execute(select(CASES.c.title).where(CASES.c.title.is_not(None)).limit(50))
        assert any(fold_text(t) != t for (t,) in accented)  # the fold had diacritics to take off


def test_an_update_refolds_the_stored_text(loaded: Engine) -> None:
    with loaded.connect() as connection, connection.begin() as transaction:
        case_id = connection.execute(select(CASES.c.case_id).limit(1)).scalar_one()
        connection.execute(CASES.update().where(CASES.c.case_id == case_id).values(title="HÀNG GIẢ Đồng hồ"))
        stored = connection.execute(
            text("SELECT search_text FROM cases WHERE case_id = :id"), {"id": case_id}
        ).scalar_one()
        assert stored == f"{case_id.lower()} hang gia dong ho " + fold_text(
            connection.execute(select(CASES.c.goods).where(CASES.c.case_id == case_id)).scalar_one() or ""
        )
        transaction.rollback()


def _reference(loaded: Engine, viewer: Viewer, words: list[str]) -> set[str]:
    """The viewer's visible case ids whose id, title or goods hold every folded word (Python-side)."""
    with loaded.connect() as connection:
        cases = visible_cases(connection, viewer)
        rows = connection.execute(select(cases.c.case_id, cases.c.title, cases.c.goods)).all()
    return {
        r.case_id for r in rows if all(fold_text(w) in " ".join(fold_text(p or "") for p in r) for w in words)
    }


def _queries(loaded: Engine) -> list[str]:
    with loaded.connect() as connection:
        titles = connection.execute(
            select(CASES.c.title).where(CASES.c.title.is_not(None)).order_by(CASES.c.case_id).limit(400)
        ).scalars()
        words = sorted({w for t in titles for w in t.split() if len(w) > 2})
    picked = random.Random(1).sample(words, 6)
    return [picked[0].upper(), fold_text(picked[1]), f"{picked[2]} {picked[3]}", picked[4], picked[5][1:-1]]


@pytest.mark.parametrize("agency", ["qltt", "police", None])
def test_search_matches_a_reference_filter_of_the_visible_rows(loaded: Engine, agency: str | None) -> None:
    viewer = Viewer(agency, NOW)
    for query in _queries(loaded):
        expected = _reference(loaded, viewer, query.split())
        with loaded.connect() as connection:
            rows, total = search_cases(connection, viewer, CaseFilter(text=query), Page(limit=10_000))
            exported = all_matching(connection, viewer, CaseFilter(text=query), Page())
        assert {r["case_id"] for r in rows} == expected, query
        assert total == len(expected)
        assert {r["case_id"] for r in exported} == expected
        assert all(list(r) == CASE_COLUMNS for r in rows)  # the search text is not handed out
        assert all(list(r) == CASE_COLUMNS for r in exported)
    assert any(_reference(loaded, viewer, q.split()) for q in _queries(loaded))


@pytest.mark.parametrize("agency", ["qltt", None])
def test_words_too_short_for_a_trigram_match_like_any_other(loaded: Engine, agency: str | None) -> None:
    """Words of one or two letters ("mỹ", "áo") are matched as a filter, not through the trigram index:
    the same matches as the reference, alone, mixed with longer words, and on ids ("-0" in "QLTT-00001")."""
    viewer = Viewer(agency, NOW)
    with loaded.connect() as connection:
        ids = connection.execute(select(CASES.c.case_id).order_by(CASES.c.case_id).limit(1)).scalar_one()
    matched = 0
    for query in ("a", "Ô", "mỹ phẩm", "HÀNG GIẢ ĐỒ", "đ", f"{ids[-2:]} {ids[:2]}", "x9 z", "%", "_ a"):
        expected = _reference(loaded, viewer, query.split())
        with loaded.connect() as connection:
            rows, total = search_cases(connection, viewer, CaseFilter(text=query), Page(limit=10_000))
        assert {r["case_id"] for r in rows} == expected, query
        assert total == len(expected), query
        matched += total
    assert matched > 0


def test_audience_rows_are_searched_by_their_own_text(loaded: Engine) -> None:
    with loaded.connect() as connection:
        restricted = connection.execute(
            select(CASE_AUDIENCE_VIEWS.c.case_id, CASE_AUDIENCE_VIEWS.c.audience)
            .where(
                CASE_AUDIENCE_VIEWS.c.case_id.in_(
                    select(RESTRICTED_CASES.c.case_id).where(RESTRICTED_CASES.c.valid_until.is_(None))
                )
            )
            .order_by(CASE_AUDIENCE_VIEWS.c.case_id, CASE_AUDIENCE_VIEWS.c.audience)
        ).first()
        assert restricted is not None, "the simulation has restricted cases"
        case_id, audience = restricted
        viewer = Viewer(None if audience == "*" else audience, NOW)
        rows, total = search_cases(connection, viewer, CaseFilter(text=case_id.upper()), Page())
    assert [r["case_id"] for r in rows] == [case_id]
    assert total == 1


def test_cases_refolded_after_their_embargo_are_searched_too(loaded: Engine) -> None:
    """A restricted case whose views outlived an embargo is refolded on the request and staged in a
    temporary table; its folded text is computed there, so search still finds it."""
    ended = NOW - timedelta(days=1)
    with loaded.connect() as connection, connection.begin() as transaction:
        case_id = connection.execute(
            select(RESTRICTED_CASES.c.case_id).order_by(RESTRICTED_CASES.c.case_id).limit(1)
        ).scalar_one()
        connection.execute(
            RESTRICTED_CASES.update().where(RESTRICTED_CASES.c.case_id == case_id).values(valid_until=ended)
        )
        agencies = connection.execute(select(EVENTS.c.agency).where(EVENTS.c.case_id == case_id)).scalars()
        viewer = Viewer(sorted(set(agencies))[0], NOW)
        rows, total = search_cases(connection, viewer, CaseFilter(text=case_id.upper()), Page())
        staged = connection.execute(
            text("SELECT case_id, title, goods, search_text FROM viewer_folded_cases")
        ).all()
        transaction.rollback()
    assert [r["case_id"] for r in rows] == [case_id]
    assert total == 1
    assert [r.case_id for r in staged] == [case_id]
    assert all(r.search_text == search_text(r.case_id, r.title, r.goods) for r in staged)


def test_postgresql_indexes_the_column_and_searches_use_it(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    load(engine, 300, seed=3)
    with engine.begin() as connection:
        indexes: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE tablename IN ('cases', 'case_audience_views')"
                )
            ).all()
        )
        # migration 0016: the trigram index also holds the province (and the audience of audience rows)
        assert (
            "gin (current_province_code, search_text gin_trgm_ops)"
            in indexes["ix_cases_province_search_text"]
        )
        scoped = indexes["ix_case_audience_views_scope_search_text"]
        assert "gin (audience, current_province_code, search_text gin_trgm_ops)" in scoped
        for table in ("cases", "case_audience_views"):
            assert f"ix_{table}_search_text" not in indexes
            assert f"ix_{table}_searchable" not in indexes
        connection.execute(text("ANALYZE cases, case_audience_views"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        cases = visible_cases(connection, Viewer("qltt", NOW))
        query = select(cases.c.case_id).where(*conditions(cases, CaseFilter(text="Hàng giả")))
        compiled = query.compile(connection)
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"EXPLAIN {compiled}", compiled.params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ix_cases_province_search_text" in plan
    assert "search_text ~~ '%gia%'" in plan
    assert "translate" not in plan  # the re-check reads the stored text, nothing is folded per row
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        cases = visible_cases(connection, Viewer("qltt", NOW))
        query = select(cases.c.case_id).where(*conditions(cases, CaseFilter(text="mỹ phẩm")))
        compiled = query.compile(connection)
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"EXPLAIN {compiled}", compiled.params)
            short = "\n".join(row[0] for row in cursor.fetchall())
    # "my" has no trigram: a filter on the rows "pham" found, never an index condition (a full index read)
    conditions_read = [line for line in short.splitlines() if "Cond:" in line and "search_text" in line]
    assert conditions_read and all("'%my%'" not in line for line in conditions_read), short
    assert "(search_text || ''::text) ~~ '%my%'" in short, short
    engine.dispose()


def test_a_search_in_one_province_asks_the_trigram_index_for_that_province_only(postgres_url: str) -> None:
    """Migration 0016: the province is a column of the trigram index, so one index condition holds the
    province and the words (the index intersects them itself, skipping the words' other provinces),
    instead of a bitmap of every case holding the words ANDed with the province's btree bitmap. (At 300
    events a btree bitmap of the province is cheaper still, so the province's btree indexes are dropped
    for the plan, inside the transaction that is rolled back: what is checked is that the trigram index
    takes both conditions; which plan wins at 10^6 cases is measured by the benchmark.)"""
    engine = make_engine(postgres_url)
    load(engine, 300, seed=3)
    with engine.connect() as connection, connection.begin() as transaction:
        for btree in (  # (migration 0017 dropped ix_cases_current_province_code, which this one covers)
            "ix_cases_province_first_event",
            "ix_case_audience_views_scope",
        ):
            connection.execute(text(f"DROP INDEX {btree}"))
        province = connection.execute(
            text("SELECT current_province_code FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
        connection.execute(text("ANALYZE cases, case_audience_views"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        cases = visible_cases(connection, Viewer("qltt", NOW))
        where = CaseFilter(text="Hàng giả", current_province=province)
        compiled = select(cases.c.case_id).where(*conditions(cases, where)).compile(connection)
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"EXPLAIN {compiled}", compiled.params)
            plan = [row[0] for row in cursor.fetchall()]
        transaction.rollback()
    scans = [i for i, line in enumerate(plan) if "Bitmap Index Scan on ix_cases_province_search_text" in line]
    assert scans, plan
    condition = plan[scans[0] + 1]
    assert f"current_province_code)::text = '{province}'" in condition, plan
    assert "search_text ~~ '%gia%'" in condition, plan
    engine.dispose()


def test_the_benchmark_clone_leaves_the_search_text_to_the_database(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    load(engine, 200, seed=5)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
    assert clone_to(engine, before * 2) == 2
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT case_id, title, goods, search_text FROM cases")).all()
    assert len(rows) == before * 2
    assert sum(1 for r in rows if r.case_id.endswith("~1")) == before
    assert all(r.search_text == search_text(r.case_id, r.title, r.goods) for r in rows)
    engine.dispose()


@pytest.mark.parametrize("agency", ["qltt", None])
def test_pages_are_slices_of_the_whole_match_in_order(loaded: Engine, agency: str | None) -> None:
    """The page is found by id and sort key first, then read by id (two statements): every page of every
    sort order is the matching slice of all visible matches sorted in Python (ties by case id, missing
    values last), with every column of the row and the full total, and a page past the end is empty
    with the total still counted."""
    viewer = Viewer(agency, NOW)
    with loaded.connect() as connection:
        cases = visible_cases(connection, viewer)
        everything = [
            dict(r._mapping) for r in connection.execute(select(*(cases.c[c] for c in CASE_COLUMNS)))
        ]
    for query, sort, descending in (
        ("hang", "last_event_at", True),
        ("", "total_fines_vnd", False),
        ("a", "status", True),
    ):
        words = [fold_text(w) for w in query.split()]
        matching = [
            r
            for r in everything
            if all(w in search_text(r["case_id"], r["title"], r["goods"]) for w in words)
        ]
        present = sorted((r for r in matching if r[sort] is not None), key=lambda r: r["case_id"])
        present.sort(key=lambda r: r[sort], reverse=descending)
        expected = present + sorted((r for r in matching if r[sort] is None), key=lambda r: r["case_id"])
        assert len(expected) > 20, query
        for offset in (0, 7, len(expected) - 3, len(expected) + 5):
            with loaded.connect() as connection:
                rows, total = search_cases(
                    connection, viewer, CaseFilter(text=query or None), Page(10, offset, sort, descending)
                )
            assert total == len(expected), (query, offset)
            assert rows == expected[offset : offset + 10], (query, sort, offset)
