"""search by province: the trigram index also holds the current province (and, for audience rows, the
audience), so a search in one province reads only that province's matches

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Why: at 10^6 cases a common word ("thuc pham", 4 trigrams each in ~20-50 % of cases) made the trigram
index read every case's entry for those trigrams (~226,000 cases, then a BitmapAnd with the province's
btree bitmap): ~250-300 ms of PostgreSQL CPU per search even in a small province, the search's p95
(issue 17). With the province as one more column of the same GIN index (btree_gin gives GIN the `=` on
text), the index intersects its entries itself and skips through the large trigram posting trees to the
province's cases: 40 ms for the same search in a small province. Searches without a province still use
the index (GIN serves any subset of its columns). Writes: one more index key per row (the province, and
the audience on the audience rows), against the ~80 trigram keys each row already has.

SQLite: nothing changes (no trigram index there).
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEXES = {
    "cases": ("ix_cases_search_text", "ix_cases_province_search_text", "current_province_code"),
    "case_audience_views": (
        "ix_case_audience_views_search_text",
        "ix_case_audience_views_scope_search_text",
        "audience, current_province_code",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for table, (old, new, keys) in INDEXES.items():
        op.execute(f"CREATE INDEX {new} ON {table} USING gin ({keys}, search_text gin_trgm_ops)")
        op.execute(f"DROP INDEX IF EXISTS {old}")
    op.execute(f"ANALYZE {', '.join(INDEXES)}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (old, new, _) in INDEXES.items():
        op.execute(f"CREATE INDEX {old} ON {table} USING gin (search_text gin_trgm_ops)")
        op.execute(f"DROP INDEX IF EXISTS {new}")
