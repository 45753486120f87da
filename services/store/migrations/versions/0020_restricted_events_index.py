"""drop the partial index of restricted log rows: its one reader asks `restricted_cases` (issue 17)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

Why: `ix_case_events_restricted` (migration 0005) made every log row written evaluate its predicate
(two jsonb field reads and a comparison) and put ~5 % of them in one more b-tree, in the materializer's
transaction. Its only reader left was the alert facts' list of cases holding a restricted event, which is
exactly the cases the materializer marks in `restricted_cases` (consumers.audience_views.is_restricted,
the same rule, every restricted case gets its mark in the transaction that stores the event); the
visibility filters of the views select by case or by subject and never used it. Measured (80,000 log
rows re-copied into a copy of the log table, backend CPU per row, five alternating rounds on a quiet
machine): 5.75–6.12 µs with it, 5.62–5.63 without.
Downgrade recreates it as 0005 made it, on both backends.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# As migration 0005 wrote it (its predicate was services.store.queries.visibility.RESTRICTED_SQL).
RESTRICTED_SQL = {
    "sqlite": "json_extract(distribution, '$.level') <> 'ALL_AGENCIES' "
    "OR json_extract(distribution, '$.handling') IS NOT NULL OR embargo_until IS NOT NULL",
    "postgresql": "(distribution ->> 'level') <> 'ALL_AGENCIES' "
    "OR (distribution ->> 'handling') IS NOT NULL OR embargo_until IS NOT NULL",
}


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_case_events_restricted")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in RESTRICTED_SQL:
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_case_events_restricted ON case_events (case_id) "
            f"WHERE {RESTRICTED_SQL[dialect]}"
        )
