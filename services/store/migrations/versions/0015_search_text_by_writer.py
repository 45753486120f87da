"""search text by the writer: on PostgreSQL `search_text` becomes a plain column the materializer fills

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Why: PostgreSQL recomputed the generated column of 0009 on every insert and every update of `cases` and
`case_audience_views`, and its translate() over 150 multibyte letters cost ~70 µs per row: most of the
materializer's PostgreSQL CPU for the case upsert (issue 17). The materializer now writes the fold itself
(services.store.queries.text.search_text, the very fold the search words get and SQLite's generated column
calls), which costs ~1 µs in Python. Writers that do not (the benchmark's server-side clone, a hand-written
INSERT) still get the database's fold: a row trigger, fired only when the row comes without a search text
or changes its id, title or goods while keeping the old one (its WHEN test runs in C, so rows the
materializer writes never enter PL/pgSQL). The pg_trgm index stays as it is.

SQLite: nothing changes (its VIRTUAL column costs nothing to write).
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("cases", "case_audience_views")
_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_BASE = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"
COMBINING = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
# A frozen copy of 0009's expression (migrations do not import application code that may change).
FOLD = (
    "lower(translate(coalesce(NEW.case_id, '') || ' ' || coalesce(NEW.title, '') || ' ' || "
    f"coalesce(NEW.goods, ''), '{_LOWER}{_LOWER.upper()}{COMBINING}', '{_BASE}{_BASE}'))"
)
FUNCTION = "casehub_fill_search_text"
CHANGED = (
    "NEW.search_text IS NULL OR (NEW.search_text = OLD.search_text AND "
    "(NEW.case_id, NEW.title, NEW.goods) IS DISTINCT FROM (OLD.case_id, OLD.title, OLD.goods))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN NEW.search_text := {FOLD}; RETURN NEW; END $$"
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN search_text DROP EXPRESSION")
        op.execute(
            f"CREATE TRIGGER {table}_search_text_insert BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN (NEW.search_text IS NULL) EXECUTE FUNCTION {FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_text_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({CHANGED}) EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    expression = FOLD.replace("NEW.", "")
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_search_text_insert ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_search_text_update ON {table}")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_text")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_text TEXT GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_text ON {table} USING gin (search_text gin_trgm_ops)")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
