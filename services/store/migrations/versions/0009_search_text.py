"""search text: the folded id, title and goods of a case as a generated column, indexed for search

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

`cases` and `case_audience_views` get `search_text`, computed by the database from the row (writers never
set it): case id, title and goods joined by spaces, lower-cased, Vietnamese letters to their ASCII base
letters (đ → d) and combining marks dropped, as services.store.queries.text.fold_text folds a search word.
Searches then match the folded words with a plain LIKE on the column: PostgreSQL re-checks the
trigram index's candidates against the stored text instead of folding each row again.

- PostgreSQL: a STORED column (translate() and lower() are immutable); the pg_trgm GIN index moves from
  the expression of 0008 to the column.
- SQLite: a VIRTUAL column (SQLite cannot add a stored one without rebuilding the table, and has no
  trigram index to feed) over the application function casehub_fold (fold_text itself: SQLite has no
  translate(), a Unicode lower() or NFD, and 142 nested replace() calls overflow its parser). Every
  connection that writes or reads these tables needs the function: services.store.engine.make_engine
  registers it on each SQLite connection.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("cases", "case_audience_views")
_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_BASE = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"
ACCENTED = _LOWER + _LOWER.upper()
PLAIN = _BASE + _BASE
# Combining marks of decomposed Vietnamese: grave, acute, circumflex, tilde, breve, hook, horn, dot below.
COMBINING = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
JOINED = "coalesce(case_id, '') || ' ' || coalesce(title, '') || ' ' || coalesce(goods, '')"


def search_text(dialect: str) -> str:
    """The generated column's expression."""
    if dialect == "postgresql":
        return f"lower(translate({JOINED}, '{ACCENTED}{COMBINING}', '{PLAIN}'))"
    return f"casehub_fold({JOINED})"


# 0008's index expression, for the downgrade.
_SEARCHABLE = f"lower(translate({JOINED}, '{ACCENTED}{COMBINING}', '{PLAIN}'))"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    kind = "STORED" if dialect == "postgresql" else "VIRTUAL"
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_text TEXT "
            f"GENERATED ALWAYS AS ({search_text(dialect)}) {kind}"
        )
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_searchable")
            op.execute(f"CREATE INDEX ix_{table}_search_text ON {table} USING gin (search_text gin_trgm_ops)")
    if dialect == "postgresql":
        op.execute(f"ANALYZE {', '.join(TABLES)}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_text")
        if dialect == "postgresql":
            index = f"ix_{table}_searchable ON {table} USING gin ({_SEARCHABLE} gin_trgm_ops)"
            op.execute(f"CREATE INDEX {index}")
