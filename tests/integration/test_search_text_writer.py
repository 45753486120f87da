"""PostgreSQL keeps the search text its writer folds (migration 0015), and folds it itself for a writer
that gives none: a row inserted without it, a title or goods changed without it, or an id changed. A
writer that gives one (the materializer) has it kept as given, so the trigger's fold never runs for it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from services.store.engine import make_engine
from services.store.queries.text import search_text

pytestmark = pytest.mark.integration

_INSERT = (
    "INSERT INTO cases (case_id, status, stage, title, goods, agencies, total_fines_vnd, goods_value_vnd, "
    "event_count, first_event_at, last_event_at{extra}) VALUES (:id, 'open', 'open', :title, :goods, '', "
    "0, 0, 1, now(), now(){value})"
)


def _stored(connection: Connection, case_id: str) -> str | None:
    query = text("SELECT search_text FROM cases WHERE case_id = :id")
    return connection.execute(query, {"id": case_id}).scalar_one()


def test_a_row_written_without_search_text_gets_the_databases_fold(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(
            text(_INSERT.format(extra="", value="")), {"id": "C1", "title": "Hàng GIẢ", "goods": None}
        )
        assert _stored(connection, "C1") == search_text("C1", "Hàng GIẢ", None) == "c1 hang gia "
        connection.execute(text("UPDATE cases SET goods = 'Đồng hồ' WHERE case_id = 'C1'"))
        assert _stored(connection, "C1") == search_text("C1", "Hàng GIẢ", "Đồng hồ")
        connection.execute(text("UPDATE cases SET case_id = 'C2' WHERE case_id = 'C1'"))
        assert _stored(connection, "C2") == search_text("C2", "Hàng GIẢ", "Đồng hồ")
        connection.execute(text("UPDATE cases SET event_count = 2 WHERE case_id = 'C2'"))
        assert _stored(connection, "C2") == search_text("C2", "Hàng GIẢ", "Đồng hồ"), "kept when unchanged"
    engine.dispose()


def test_a_search_text_the_writer_gives_is_kept_as_given(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        insert = text(_INSERT.format(extra=", search_text", value=", :folded"))
        connection.execute(insert, {"id": "C3", "title": "Hàng giả", "goods": None, "folded": "given"})
        assert _stored(connection, "C3") == "given"
        connection.execute(
            text("UPDATE cases SET title = 'Khác', search_text = 'given again' WHERE case_id = 'C3'")
        )
        assert _stored(connection, "C3") == "given again"
    engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40))
def test_the_databases_fold_matches_the_writers_on_vietnamese_text(postgres_url: str, title: str) -> None:
    """Where the two folds can meet (Vietnamese letters, ASCII, decomposed marks) they agree; the writer's is
    the one the search words get, so rows the materializer writes match searches exactly."""
    vietnamese = "".join(
        c
        for c in title
        if c.isascii() or c in "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐÀÁẢÃẠ"
    )
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM cases WHERE case_id = 'C4'"))
        connection.execute(
            text(_INSERT.format(extra="", value="")), {"id": "C4", "title": vietnamese, "goods": None}
        )
        assert _stored(connection, "C4") == search_text("C4", vietnamese, None)
    engine.dispose()
